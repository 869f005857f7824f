import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_NAMES } from '../../statemachine/steps';
import { logicalId, synth } from './synth';

describe('alarms and dashboard', () => {
  const { template } = synth({ alarmEmail: 'oncall@example.com' });
  const alarmTopic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'PipelineAlarmTopic') };

  it.each([
    ['failed executions', 'ExecutionsFailed', 'AWS/States'],
    ['timed-out executions', 'ExecutionsTimedOut', 'AWS/States'],
    ['throttled executions', 'ExecutionThrottled', 'AWS/States'],
    ['messages in the dead-letter queue', 'ApproximateNumberOfMessagesVisible', 'AWS/SQS'],
    ['starter errors', 'Errors', 'AWS/Lambda'],
  ])('alarms on %s, to the alarm topic', (_what, metricName, namespace) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Namespace: namespace,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [alarmTopic],
      OKActions: [alarmTopic],
    });
  });

  it('alarms on throttles of any pipeline function', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      // One term per function of the registry.
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: FUNCTION_NAMES.map((_, index) => `t${index}`).join(' + ') }),
      ]),
      AlarmActions: [alarmTopic],
    });
  });

  it('has seven alarms, the failure-notice dead-letter queue included', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [
              logicalId(template, 'AWS::SQS::Queue', 'PipelineFailureNoticeDeadLetterQueue'),
              'QueueName',
            ],
          },
        },
      ],
      AlarmActions: [alarmTopic],
    });
  });

  it('has no failure-notice alarm on EXPRESS, which sends no failure notices', () => {
    synth({ workflowType: 'EXPRESS' }).template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });

  it('sends alarms to the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: alarmTopic,
    });
  });

  it('has a dashboard of the pipeline', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
