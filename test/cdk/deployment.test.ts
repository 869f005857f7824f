import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseConfig } from '../../cdk/config';
import { MetadataPipeline } from '../../cdk/metadata-pipeline';
import { STEP_FUNCTION_TIMEOUT_SECONDS, TASK_TIMEOUT_SECONDS } from '../../statemachine/policy';
import { constructIdOf, WORKFLOW_STEPS } from '../../statemachine/steps';
import { logicalId, statementsOfRole, synth } from './synth';

/**
 * What only a real deployment would reveal: each test names the AWS
 * documentation page of the behaviour it checks.
 */
type Json = Record<string, unknown>;
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Steps whose function reads objects (and so needs the objects' KMS keys). */
const READERS = WORKFLOW_STEPS.filter((step) =>
  (step.access as readonly string[]).some(
    (access) => access === 'describe-objects' || access === 'read-objects',
  ),
).map((step) => step.folder);

describe('alarms reach someone', () => {
  const { template } = synth();
  const topic = logicalId(template, 'AWS::SNS::Topic', 'PipelineAlarmTopic');
  const key = logicalId(template, 'AWS::KMS::Key', 'PipelineAlarmTopicKey');

  // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services:
  // CloudWatch cannot use the AWS managed key alias/aws/sns; a customer managed key must let it.
  it('encrypts the alarm topic with a customer managed key, not alias/aws/sns', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'S3 metadata pipeline alarms',
      KmsMasterKeyId: getAtt(key),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it("lets cloudwatch.amazonaws.com use the key for this account's alarms only (key policy)", () => {
    const policy = template.findResources('AWS::KMS::Key')[key]?.Properties as Json;
    const statements = (policy.KeyPolicy as { Statement: Json[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' },
        },
      }),
    );
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html: the alarm
  // publishes as the CloudWatch service principal, which the topic policy must allow.
  it('lets cloudwatch.amazonaws.com publish to the alarm topic (topic policy), next to the TLS deny', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter(
      (policy) => JSON.stringify((policy.Properties as Json).Topics) === JSON.stringify([{ Ref: topic }]),
    );
    const statements = policies.flatMap(
      (policy) => ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' },
        },
      }),
    );
    expect(JSON.stringify(statements)).toContain('"aws:SecureTransport":"false"');
  });

  it('sends every alarm and recovery to that topic', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect((alarm.Properties as Json).AlarmActions).toEqual([{ Ref: topic }]);
    }
  });
});

// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html: SignatureVersion 2 signs with SHA256.
it('signs the messages of every topic with SHA256 (SignatureVersion 2)', () => {
  const { template } = synth();
  const topics = template.findResources('AWS::SNS::Topic');
  expect(Object.keys(topics)).toHaveLength(2);
  template.allResourcesProperties('AWS::SNS::Topic', { SignatureVersion: '2' });
});

describe('objects encrypted with a customer managed KMS key', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html and
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html: reading an SSE-KMS
  // object (a GET; a HEAD with checksum mode) needs kms:Decrypt on its key.
  it('grants kms:Decrypt on each key of kmsKeyArns to every function that reads objects, and to no other', () => {
    const { template } = synth({ kmsKeyArns: [KEY_ARN] });
    expect(READERS.length).toBeGreaterThan(0);
    for (const step of WORKFLOW_STEPS) {
      const statements = statementsOfRole(template, `Pipeline${constructIdOf(step.folder)}Role`);
      const decrypt = statements.filter((statement) => JSON.stringify(statement.Action).includes('kms:'));
      if ((READERS as readonly string[]).includes(step.folder)) {
        expect(decrypt).toEqual([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY_ARN }]);
      } else {
        expect(decrypt).toEqual([]);
      }
    }
  });

  it('grants no KMS action when no key is configured', () => {
    const { template } = synth();
    for (const step of WORKFLOW_STEPS) {
      const statements = statementsOfRole(template, `Pipeline${constructIdOf(step.folder)}Role`);
      expect(JSON.stringify(statements)).not.toContain('kms:');
    }
  });

  it('grants kms:Decrypt on the key of a watched bucket created in the same app, without configuration', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Kms', { env: { account: '123456789012', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Encrypted', { encryption: s3.BucketEncryption.KMS });
    new MetadataPipeline(stack, 'Pipeline', { buckets: [{ bucket }] });
    const template = Template.fromStack(stack);
    const key = logicalId(template, 'AWS::KMS::Key', 'EncryptedKey');
    for (const folder of READERS) {
      const statements = statementsOfRole(template, `Pipeline${constructIdOf(folder)}Role`);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: getAtt(key) }),
      );
    }
  });

  it('fails when a kmsKeyArns entry is not a key ARN (an alias ARN grants nothing)', () => {
    expect(() => parseConfig({ kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:alias/uploads'] })).toThrow(
      /kmsKeyArns\[0\]: expected a KMS key ARN.*\(received "arn:aws:kms:eu-west-1:123456789012:alias\/uploads"\)/,
    );
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'existing-bucket');
    expect(
      () => new MetadataPipeline(stack, 'P', { buckets: [{ bucket }], kmsKeyArns: ['alias/uploads'] }),
    ).toThrow(/kmsKeyArns must be KMS key ARNs.*\(received "alias\/uploads"\)/);
  });
});

describe('failure notifications that let Redrive resume the failed step', () => {
  // https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html: STANDARD
  // executions send "Step Functions Execution Status Change" events to the default bus.
  it('sends failed, timed-out and aborted executions of this state machine to publish-notification', () => {
    const { template } = synth();
    const machine = logicalId(template, 'AWS::StepFunctions::StateMachine', 'PipelineStateMachine');
    const notify = logicalId(template, 'AWS::Lambda::Function', 'PipelinePublishNotification');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: machine }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: getAtt(notify),
          // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
          DeadLetterConfig: { Arn: getAtt(logicalId(template, 'AWS::SQS::Queue', 'PipelineFailureNotice')) },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: getAtt(notify),
    });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html: EventBridge's
  // retries cover invoking the function; a function error is retried by Lambda, then sent on.
  it('keeps a notice the function failed to publish (SNS down) in the same dead-letter queue', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'PipelinePublishNotification') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: {
          Destination: getAtt(logicalId(template, 'AWS::SQS::Queue', 'PipelineFailureNoticeDeadLetterQueue')),
        },
      },
    });
  });

  it('adds no such rule for EXPRESS, which sends no status change events', () => {
    const { template } = synth({ workflowType: 'EXPRESS' });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });
});

// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html (EXPRESS: 5 minutes):
// the retry budget checked in test/workflow/definition.test.ts assumes these timeouts.
it('gives each workflow function the timeout the Task timeouts and the retry budget assume', () => {
  const { template } = synth();
  expect(TASK_TIMEOUT_SECONDS).toBeGreaterThan(STEP_FUNCTION_TIMEOUT_SECONDS);
  const functions = template.findResources('AWS::Lambda::Function');
  for (const step of WORKFLOW_STEPS) {
    const id = logicalId(template, 'AWS::Lambda::Function', `Pipeline${constructIdOf(step.folder)}`);
    expect(((functions[id]?.Properties ?? {}) as Json).Timeout).toBe(STEP_FUNCTION_TIMEOUT_SECONDS);
  }
  const starter = logicalId(template, 'AWS::Lambda::Function', 'PipelineStarter');
  expect(((functions[starter]?.Properties ?? {}) as Json).Timeout).toBe(30);
});

describe('deploys and redeploys', () => {
  const { template } = synth();

  // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html: log groups under /aws/vendedlogs/
  // need no entry in the account's CloudWatch Logs resource policy (5,120 characters at most).
  it("names the state machine's log group under /aws/vendedlogs/states/, unique to the stack's creation", () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'))
      .map((group) => (group.Properties as Json).LogGroupName)
      .filter((name) => name !== undefined);
    expect(groups).toHaveLength(1);
    const [name, uuid] = (groups[0] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(name).toMatch(/^\/aws\/vendedlogs\/states\/TestPipeline[0-9A-F]{8}-$/);
    expect(uuid).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: getAtt(logicalId(template, 'AWS::Logs::LogGroup', 'PipelineStateMachineLogs')),
            },
          },
        ],
      }),
    });
  });

  it('lets CloudFormation name the table unless a name is configured, so a retained table never blocks a redeploy', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]?.Properties as Json;
    expect(table.TableName).toBeUndefined();
    synth({ tableName: 'Inventory' }).template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'Inventory',
    });
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html: log delivery is best effort
  // and can arrive hours late, after an auto-delete emptied the bucket.
  it('retains the access-log bucket even with removalPolicy destroy, so cdk destroy never fails on late logs', () => {
    const destroyed = synth({ removalPolicy: 'destroy' }).template;
    const accessLogs = logicalId(destroyed, 'AWS::S3::Bucket', 'AccessLogs');
    expect(destroyed.findResources('AWS::S3::Bucket')[accessLogs]).toMatchObject({
      DeletionPolicy: 'Retain',
    });
    destroyed.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' }); // the uploads bucket
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
  // takes the dead-letter queue's ARN.
  it("outputs the dead-letter queue's ARN, which start-message-move-task needs", () => {
    template.hasOutput('DeadLetterQueueArn', {
      Value: getAtt(logicalId(template, 'AWS::SQS::Queue', 'PipelineDeadLetterQueue')),
    });
  });
});
