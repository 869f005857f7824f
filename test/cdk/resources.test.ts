import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_SCHEMA } from '../../functions/core/table-schema';
import { readDefinitionText } from '../../statemachine/definition';
import { constructIdOf, FUNCTION_NAMES, WORKFLOW_STEPS } from '../../statemachine/steps';
import { deployedDefinition, logicalId, synth } from './synth';

describe('default configuration', () => {
  const { template } = synth();

  it('creates one uploads bucket (and its access-log bucket), encrypted, private and TLS-only', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'uploads/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
  it('sends creations, removals, tag changes, Lifecycle expirations and transitions and restores to the ingest queue', () => {
    const queue = logicalId(template, 'AWS::SQS::Queue', 'PipelineIngestQueue');
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          's3:ObjectCreated:*',
          's3:ObjectTagging:*',
          's3:LifecycleTransition',
          's3:ObjectRestore:Post',
          's3:ObjectRestore:Completed',
          's3:ObjectRestore:Delete',
          's3:ObjectRemoved:*',
          's3:LifecycleExpiration:*',
        ].map((event) => ({ Events: [event], QueueArn: { 'Fn::GetAtt': [queue, 'Arn'] } })),
      },
    });
  });

  it('lets only S3, from the watched bucket, send to the ingest queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('keeps the ingest queue able to take any S3 notification, with a visibility timeout six times the starter timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MaximumMessageSize: Match.anyValue(),
      VisibilityTimeout: 180,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      SqsManagedSseEnabled: true,
    });
    const queue = template.findResources('AWS::SQS::Queue', { Properties: { VisibilityTimeout: 180 } });
    const size = (Object.values(queue)[0]?.Properties as { MaximumMessageSize?: number } | undefined)
      ?.MaximumMessageSize;
    expect(size).toBeGreaterThanOrEqual(65_536);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: Match.anyValue() }) },
    });
  });

  it('encrypts every queue (ingest, its dead-letter queue, failure notices) and enforces TLS on them', () => {
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(3);
    for (const policy of Object.values(policies)) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('creates the table with BucketName/ObjectKey keys, on demand, with point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'BucketName', KeyType: 'HASH' },
        { AttributeName: 'ObjectKey', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('indexes the table by content type and by upload day, newest first by upload time', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByContentType',
          KeySchema: [
            { AttributeName: 'ContentType', KeyType: 'HASH' },
            { AttributeName: 'UploadTime', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'ByUploadDay',
          KeySchema: [
            { AttributeName: 'UploadDay', KeyType: 'HASH' },
            { AttributeName: 'UploadTime', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('retains the table by default', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('encrypts the notification topic with the AWS managed key and enforces TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'S3 metadata pipeline',
      KmsMasterKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/aws/sns',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs every function on Node 24, arm64, with active tracing and a log group of its own', () => {
    const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('Pipeline'),
    );
    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_LOG_LEVEL: 'INFO' }) },
      });
    }
  });

  it('leaves SDK call tracing off unless configured', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TRACE_SDK_CALLS: 'false' }) },
    });
    synth({ traceSdkCalls: 'true' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TRACE_SDK_CALLS: 'true' }) },
    });
  });

  it('tells the starter which buckets it watches', () => {
    const { template: configured } = synth({ buckets: 'incoming-data,photos-prod' });
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WATCHED_BUCKETS: 'incoming-data,photos-prod' }) },
    });
  });

  it('drives the starter from the queue in batches, with partial batch responses and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('deploys a STANDARD state machine with X-Ray tracing and CloudWatch Logs including execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  it('deploys the definition file, each function placeholder substituted by its own function', () => {
    expect(deployedDefinition(template)).toEqual(JSON.parse(readDefinitionText()));
    const arn = (prefix: string) => ({
      'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', prefix), 'Arn'],
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.exact(
        Object.fromEntries(
          WORKFLOW_STEPS.map((step) => [step.placeholder, arn(`Pipeline${constructIdOf(step.folder)}`)]),
        ),
      ),
    });
  });

  it('deploys a definition where every Task retries throttling and transient faults', () => {
    type State = {
      Type: string;
      Retry?: { ErrorEquals: string[] }[];
      Branches?: { States: Record<string, State> }[];
    };
    const tasks = (states: Record<string, State>): [string, State][] =>
      Object.entries(states).flatMap(([name, state]) => [
        ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
        ...(state.Branches ?? []).flatMap((branch) => tasks(branch.States)),
      ]);
    const all = tasks((deployedDefinition(template) as { States: Record<string, State> }).States);
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const [, state] of all) {
      const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried).toEqual(
        expect.arrayContaining(['ThrottledError', 'TransientError', 'Lambda.ServiceException']),
      );
    }
  });

  it('creates no subscription when none is configured', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('configured deployments', () => {
  it('watches existing buckets by name, each with its own prefix and suffix filter, and creates no bucket', () => {
    const { template } = synth({
      buckets: [
        { name: 'incoming-data', prefix: 'raw/', suffix: '.csv' },
        { name: 'photos.example', prefix: 'camera/' },
      ],
    });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 2);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'incoming-data',
      Managed: false,
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.csv' },
                  { Name: 'prefix', Value: 'raw/' },
                ],
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'photos.example',
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          Match.objectLike({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'camera/' }] } } }),
        ]),
      },
    });
  });

  it('subscribes no removals (ObjectRemoved, LifecycleExpiration) when deletes are ignored', () => {
    const { template } = synth({ deleteBehaviour: 'ignore' });
    const notifications = JSON.stringify(template.findResources('Custom::S3BucketNotifications'));
    expect(notifications).not.toContain('ObjectRemoved');
    expect(notifications).not.toContain('LifecycleExpiration');
    expect(notifications).toContain('s3:ObjectTagging:*');
  });

  it('deploys an EXPRESS state machine logging ALL by default', () => {
    const { template } = synth({ workflowType: 'EXPRESS' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
  });

  it('uses the configured table name and workflow log level', () => {
    const { template } = synth({ tableName: 'Inventory', workflowLogLevel: 'ALL' });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'Inventory' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL' },
    });
  });

  it('subscribes each email, and each webhook with raw JSON delivery', () => {
    const { template } = synth({
      notificationEmails: ['ops@example.com', 'data@example.com'],
      webhookUrls: ['https://hooks.example.com/s3'],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'data@example.com',
    });
    // Raw messages carry no signature (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html):
    // webhooks get the signed envelope unless raw delivery is asked for.
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/s3',
      RawMessageDelivery: false,
    });
  });

  it('delivers the bare JSON document to webhooks when webhookRawDelivery is set', () => {
    const { template } = synth({ webhookUrls: ['https://hooks.example.com/s3'], webhookRawDelivery: true });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', RawMessageDelivery: true });
  });

  it('destroys the table and buckets on removal when asked to', () => {
    const { template } = synth({ removalPolicy: 'destroy' });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });
});

describe('contract with the functions', () => {
  it('deploys the table the functions expect (functions/core/table-schema.ts)', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });
});
