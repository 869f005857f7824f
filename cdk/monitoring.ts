import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Properties of {@link PipelineMonitoring}. */
export interface PipelineMonitoringProps {
  readonly stateMachine: sfn.StateMachine;
  readonly ingestQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Where failure notifications that could not be delivered or published wait.
   * @default no such queue (EXPRESS workflows send no failure notifications)
   */
  readonly failureNoticeDeadLetterQueue?: sqs.IQueue;
  readonly starter: lambda.IFunction;
  readonly stepFunctions: readonly lambda.IFunction[];
  readonly table: dynamodb.ITableV2;
  /** Every alarm notifies this topic, on alarm and on recovery. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * What operators watch: alarms for the failures that need a person (failed
 * or timed-out executions, messages in the dead-letter queue, starter errors,
 * throttles) and a dashboard of the pipeline.
 */
export class PipelineMonitoring extends Construct {
  /** The alarms, by name. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const { stateMachine, deadLetterQueue, ingestQueue, starter, stepFunctions, table } = props;
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const functions = [starter, ...stepFunctions];
    const throttles = new cloudwatch.MathExpression({
      expression: functions.map((_, index) => `t${index}`).join(' + '),
      usingMetrics: Object.fromEntries(
        functions.map((fn, index) => [`t${index}`, fn.metricThrottles(fiveMinutes)]),
      ),
      label: 'Lambda throttles (all functions)',
      period: Duration.minutes(5),
    });

    const alarm = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      created.addOkAction(new actions.SnsAction(props.alarmTopic));
      return created;
    };
    this.alarms = {
      ExecutionsFailed: alarm(
        'ExecutionsFailed',
        stateMachine.metricFailed(fiveMinutes),
        'Executions failed at a step: an object could not be recorded (STANDARD: subscribers got a failure notification). Open the execution in the Step Functions console, fix the cause, then Redrive it (docs/operations.md).',
      ),
      ExecutionsTimedOut: alarm(
        'ExecutionsTimedOut',
        stateMachine.metricTimedOut(fiveMinutes),
        'Executions timed out: an object was not recorded (STANDARD: subscribers got a failure notification; Redrive it once the cause is fixed).',
      ),
      ExecutionsThrottled: alarm(
        'ExecutionsThrottled',
        stateMachine.metricThrottled(fiveMinutes),
        'Step Functions throttled state transitions: executions are delayed.',
      ),
      DeadLetters: alarm(
        'DeadLetters',
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        'S3 events reached the dead-letter queue: they were not recorded. Read them, fix the cause, then redrive (see docs/operations.md).',
      ),
      ...(props.failureNoticeDeadLetterQueue
        ? {
            FailureNoticesLost: alarm(
              'FailureNoticesLost',
              props.failureNoticeDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(1),
                statistic: cloudwatch.Stats.MAXIMUM,
              }),
              'Failure notifications could not be delivered or published: subscribers did not hear of some failed executions. Read the failure-notice dead-letter queue (docs/operations.md).',
            ),
          }
        : {}),
      StarterErrors: alarm(
        'StarterErrors',
        starter.metricErrors(fiveMinutes),
        'The starter function failed whole invocations: S3 events are waiting in the ingest queue.',
      ),
      Throttles: alarm(
        'Throttles',
        throttles,
        'Lambda throttled the pipeline functions: raise their concurrency or lower the starter concurrency.',
      ),
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Executions',
            width: 12,
            left: [
              stateMachine.metricStarted(fiveMinutes),
              stateMachine.metricSucceeded(fiveMinutes),
              stateMachine.metricFailed(fiveMinutes),
              stateMachine.metricTimedOut(fiveMinutes),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Execution time (p50, p99)',
            width: 12,
            left: [
              stateMachine.metricTime({ period: Duration.minutes(5), statistic: 'p50' }),
              stateMachine.metricTime({ period: Duration.minutes(5), statistic: 'p99' }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queues',
            width: 12,
            left: [
              ingestQueue.metricApproximateNumberOfMessagesVisible(),
              ingestQueue.metricApproximateAgeOfOldestMessage(),
              deadLetterQueue.metricApproximateNumberOfMessagesVisible(),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Objects (Powertools metrics)',
            width: 12,
            left: [
              'ObjectsRecorded',
              'ObjectsDeleted',
              'StaleEvents',
              'ObjectNotFoundError',
              'SupersededError',
            ].map(
              (metricName) =>
                new cloudwatch.Metric({
                  namespace: 'S3MetadataPipeline',
                  metricName,
                  dimensionsMap: { service: 's3-metadata-pipeline' },
                  ...fiveMinutes,
                }),
            ),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors and throttles',
            width: 12,
            left: functions.map((fn) => fn.metricErrors(fiveMinutes)),
            right: [throttles],
          }),
          new cloudwatch.GraphWidget({
            title: 'DynamoDB',
            width: 12,
            left: [
              table.metricConsumedWriteCapacityUnits(fiveMinutes),
              table.metricThrottledRequestsForOperations({
                operations: [dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM],
                ...fiveMinutes,
              }),
            ],
          }),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: 24,
            alarms: Object.values(this.alarms),
          }),
        ],
      ],
    });
  }
}
