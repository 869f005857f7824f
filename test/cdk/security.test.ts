import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { logicalId, statementsOfRole, synth } from './synth';

const XRAY = {
  Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  Effect: 'Allow',
  Resource: '*',
};
/** Logical id prefixes of the five functions (their roles are `<prefix>Role`). */
const FUNCTIONS = [
  'PipelineDescribeObject',
  'PipelineSniffContent',
  'PipelineWriteMetadata',
  'PipelinePublishNotification',
  'PipelineStarter',
];
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/**
 * Statements of a role, minus the X-Ray and own-log-group ones every function
 * has (checked separately), actions sorted (cdk.json minimizes policies).
 */
function ownStatements(template: ReturnType<typeof synth>['template'], rolePrefix: string) {
  return statementsOfRole(template, rolePrefix)
    .filter(
      (statement) =>
        JSON.stringify(statement) !== JSON.stringify(XRAY) && !String(statement.Action).startsWith('logs:'),
    )
    .map((statement) => ({
      ...statement,
      Action: Array.isArray(statement.Action) ? [...statement.Action].sort() : statement.Action,
    }));
}

describe('least privilege', () => {
  const { template } = synth();
  const bucket = logicalId(template, 'AWS::S3::Bucket', 'Uploads');
  const objects = { 'Fn::Join': ['', [getAtt(bucket), '/*']] };

  it('lets describe-object read object metadata and tags of the watched bucket, and list it (for 404s)', () => {
    expect(ownStatements(template, 'PipelineDescribeObjectRole')).toEqual([
      {
        Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging'],
        Effect: 'Allow',
        Resource: objects,
      },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: getAtt(bucket) },
    ]);
  });

  it('lets sniff-content read objects of the watched bucket, nothing else', () => {
    expect(ownStatements(template, 'PipelineSniffContentRole')).toEqual([
      { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: objects },
    ]);
  });

  it('lets write-metadata put and update items of the table, not its indexes', () => {
    expect(ownStatements(template, 'PipelineWriteMetadataRole')).toEqual([
      {
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: getAtt(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'PipelineTable')),
      },
    ]);
  });

  it('lets publish-notification publish to the notification topic only', () => {
    expect(ownStatements(template, 'PipelinePublishNotificationRole')).toEqual([
      {
        Action: 'sns:Publish',
        Effect: 'Allow',
        Resource: { Ref: logicalId(template, 'AWS::SNS::Topic', 'PipelineNotificationTopic') },
      },
    ]);
  });

  it('lets the starter start executions of the state machine and consume the ingest queue', () => {
    expect(ownStatements(template, 'PipelineStarterRole')).toEqual([
      {
        Action: 'states:StartExecution',
        Effect: 'Allow',
        Resource: { Ref: logicalId(template, 'AWS::StepFunctions::StateMachine', 'PipelineStateMachine') },
      },
      {
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Effect: 'Allow',
        Resource: getAtt(logicalId(template, 'AWS::SQS::Queue', 'PipelineIngestQueue')),
      },
    ]);
  });

  it('lets every function send traces to X-Ray', () => {
    for (const prefix of FUNCTIONS) {
      expect(statementsOfRole(template, `${prefix}Role`)).toContainEqual(XRAY);
    }
  });

  it('writes each function log to its own log group only', () => {
    for (const prefix of FUNCTIONS) {
      const logs = statementsOfRole(template, `${prefix}Role`).filter((statement) =>
        String(statement.Action).startsWith('logs:'),
      );
      expect(logs).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: getAtt(logicalId(template, 'AWS::Logs::LogGroup', `${prefix}Logs`)),
        },
      ]);
    }
  });

  it('lets the state machine invoke its four functions and nothing else', () => {
    const invoke = statementsOfRole(template, 'PipelineStateMachineRole').filter((statement) =>
      String(statement.Action).startsWith('lambda:'),
    );
    const resources = invoke.flatMap((statement) => statement.Resource as unknown[]);
    const functions = [
      'PipelineDescribeObject',
      'PipelineSniffContent',
      'PipelineWriteMetadata',
      'PipelinePublishNotification',
    ].map((prefix) => logicalId(template, 'AWS::Lambda::Function', prefix));
    expect(invoke.every((statement) => statement.Action === 'lambda:InvokeFunction')).toBe(true);
    expect(resources).toHaveLength(8);
    for (const fn of functions) {
      expect(resources).toContainEqual(getAtt(fn));
      expect(resources).toContainEqual({ 'Fn::Join': ['', [getAtt(fn), ':*']] });
    }
  });

  it('uses no AWS managed policy on any pipeline role', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
      id.startsWith('Pipeline'),
    );
    expect(roles.length).toBe(6);
    for (const [, role] of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants no wildcard action anywhere in the pipeline', () => {
    for (const prefix of [...FUNCTIONS, 'PipelineStateMachine']) {
      for (const statement of statementsOfRole(template, `${prefix}Role`)) {
        expect([statement.Action].flat().some((action) => String(action).includes('*'))).toBe(false);
      }
    }
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  const report = (stack: Stack) => {
    const result = new AwsSolutionsChecks().validateScope(stack);
    return result.violations.map(
      (violation) =>
        `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
  };

  it('finds nothing unacknowledged in the default deployment', () => {
    expect(report(synth().stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with existing buckets, EXPRESS, subscriptions and alarms by email', () => {
    const { stack } = synth({
      buckets: [{ name: 'incoming-data', prefix: 'raw/' }, {}],
      workflowType: 'EXPRESS',
      notificationEmails: ['ops@example.com'],
      webhookUrls: ['https://hooks.example.com/s3'],
      alarmEmail: 'oncall@example.com',
    });
    expect(report(stack)).toEqual([]);
  });

  it('still reports a new wildcard that nobody acknowledged', () => {
    const { stack } = synth();
    stack.pipeline.starter.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other/*'] }),
    );
    expect(report(stack)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:aws:s3:::other\/\*\]: /),
    ]);
  });
});
