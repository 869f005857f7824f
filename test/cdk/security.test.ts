import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { constructIdOf, FUNCTION_NAMES, type StepAccess, WORKFLOW_STEPS } from '../../statemachine/steps';
import { logicalId, statementsOfRole, synth } from './synth';

const XRAY = {
  Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  Effect: 'Allow',
  Resource: '*',
};
/** Logical id prefixes of the functions of the registry (their roles are `<prefix>Role`). */
const FUNCTIONS = FUNCTION_NAMES.map((name) => `Pipeline${constructIdOf(name)}`);
const STEP_FUNCTIONS = WORKFLOW_STEPS.map((step) => `Pipeline${constructIdOf(step.folder)}`);
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

  /** What each access of the registry must grant, and nothing more (actions sorted). */
  const GRANTS: Record<StepAccess, unknown[]> = {
    'describe-objects': [
      {
        Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging'],
        Effect: 'Allow',
        Resource: objects,
      },
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html: without s3:ListBucket a missing key is 403.
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: getAtt(bucket) },
    ],
    'read-objects': [{ Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: objects }],
    'write-table': [
      {
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: getAtt(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'PipelineTable')),
      },
    ],
    'publish-topic': [
      {
        Action: 'sns:Publish',
        Effect: 'Allow',
        Resource: { Ref: logicalId(template, 'AWS::SNS::Topic', 'PipelineNotificationTopic') },
      },
    ],
  };

  it.each(
    WORKFLOW_STEPS.map((step) => [step.folder, step.access.join(', ') || 'no AWS access', step] as const),
  )('grants %s exactly what its registry entry names (%s)', (folder, _access, step) => {
    const expected = (step.access as readonly StepAccess[]).flatMap((access) => GRANTS[access]);
    if (folder === 'publish-notification') {
      // It also sends the failure notices it could not publish to their dead-letter queue
      // (Lambda's on-failure destination of the EventBridge invocations, cdk/metadata-pipeline.ts).
      expected.push({
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Effect: 'Allow',
        Resource: getAtt(logicalId(template, 'AWS::SQS::Queue', 'PipelineFailureNoticeDeadLetterQueue')),
      });
    }
    expect(ownStatements(template, `Pipeline${constructIdOf(folder)}Role`)).toEqual(expected);
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

  it('lets the state machine invoke the step functions of the registry and nothing else', () => {
    const invoke = statementsOfRole(template, 'PipelineStateMachineRole').filter((statement) =>
      String(statement.Action).startsWith('lambda:'),
    );
    const resources = invoke.flatMap((statement) => statement.Resource as unknown[]);
    const functions = STEP_FUNCTIONS.map((prefix) => logicalId(template, 'AWS::Lambda::Function', prefix));
    expect(invoke.every((statement) => statement.Action === 'lambda:InvokeFunction')).toBe(true);
    expect(resources).toHaveLength(2 * functions.length);
    for (const fn of functions) {
      expect(resources).toContainEqual(getAtt(fn));
      expect(resources).toContainEqual({ 'Fn::Join': ['', [getAtt(fn), ':*']] });
    }
  });

  it('uses no AWS managed policy on any pipeline role', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
      id.startsWith('Pipeline'),
    );
    expect(roles.length).toBe(FUNCTIONS.length + 1);
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
