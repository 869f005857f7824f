import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ControlTowerChecks, GUARD_PLUGIN, GUARD_RULES } from '../../cdk/compliance';
import { parseConfig } from '../../cdk/config';
import { MetadataPipelineStack } from '../../cdk/metadata-pipeline-stack';
import { constructIdOf, FUNCTION_NAMES, WORKFLOW_STEPS } from '../../statemachine/steps';
import { CDK_JSON_CONTEXT, logicalId, statementsOfRole, synth } from './synth';

/**
 * AWS Control Tower proactive controls, the Guard rules AWS publishes in
 * @cdklabs/cdk-validator-cfnguard (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html),
 * run by the real cfn-guard binary on the synthesized template.
 */
const STRICT = {
  compliance: 'strict',
  vpcId: 'vpc-0123456789abcdef0',
  vpcSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  vpcRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
  accessLogsBucketName: 'org-access-logs',
};

/** The plugin's findings on the stack's template, before any acknowledgement: rule -> construct paths. */
function guardFindings(app: App, stack: Stack): Record<string, string[]> {
  const template = app.synth().getStackArtifact(stack.artifactId).templateFullPath;
  const report = new CfnGuardValidator().validate({ templatePaths: [template], appConstruct: app });
  const tree = new Map(
    stack.node
      .findAll()
      .map((construct) => [
        stack.resolve((construct as { logicalId?: string }).logicalId),
        construct.node.path,
      ]),
  );
  const findings: Record<string, string[]> = {};
  for (const violation of report.violations) {
    findings[violation.ruleName] = violation.violatingResources
      .map((resource) => tree.get(resource.resourceLogicalId) ?? resource.resourceLogicalId)
      .map((path) => path.replace(`${stack.node.path}/`, ''))
      .sort();
  }
  return findings;
}

/** The Guard acknowledgements of the construct tree: rule -> { construct path: reason }. */
function guardAcknowledgements(stack: Stack): Record<string, Record<string, string>> {
  const acknowledged: Record<string, Record<string, string>> = {};
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (!id.startsWith(`${GUARD_PLUGIN}::`)) continue;
        const rule = id.slice(GUARD_PLUGIN.length + 2);
        acknowledged[rule] ??= {};
        (acknowledged[rule] as Record<string, string>)[
          construct.node.path.replace(`${stack.node.path}/`, '')
        ] = reason;
      }
    }
  }
  return acknowledged;
}

/**
 * A new app with cdk-nag and the Guard plugin, as cdk/app.ts builds it; its
 * synth throws on any unacknowledged finding. `change` may add to the stack first.
 */
function synthWithPlugins(
  context: Record<string, unknown> = {},
  change: (stack: Stack) => void = () => undefined,
): void {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new MetadataPipelineStack(app, 'Test', {
    config: parseConfig(app.node.getAllContext()),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  change(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ControlTowerChecks());
  app.synth();
}

const FUNCTIONS = FUNCTION_NAMES.map((name) => `Pipeline/${constructIdOf(name)}/Resource`);
const LOG_GROUPS = [
  ...FUNCTION_NAMES.map((name) => `Pipeline/${constructIdOf(name)}Logs/Resource`),
  'Pipeline/StateMachineLogs/Resource',
];

describe('compliance: default', () => {
  it('fails exactly the Control Tower rules it chooses not to meet, on the resources that do not meet them', () => {
    const { app, stack } = synth();
    const findings = guardFindings(app, stack);
    const helper = Object.values(findings)
      .flat()
      .find((path) => path.startsWith('BucketNotificationsHandler'));
    expect(findings).toEqual({
      [GUARD_RULES.logRetention]: [...LOG_GROUPS].sort(),
      [GUARD_RULES.logEncryption]: [...LOG_GROUPS].sort(),
      [GUARD_RULES.lambdaInVpc]: [helper, ...FUNCTIONS].sort(),
      [GUARD_RULES.bucketKmsEncryption]: ['AccessLogs/Resource', 'Uploads/Resource'],
      [GUARD_RULES.bucketVersioning]: ['AccessLogs/Resource', 'Uploads/Resource'],
      [GUARD_RULES.bucketLogging]: ['AccessLogs/Resource'],
      [GUARD_RULES.bucketNotifications]: ['AccessLogs/Resource', 'Uploads/Resource'],
      [GUARD_RULES.bucketLifecycle]: ['Uploads/Resource'],
      [GUARD_RULES.bucketObjectLock]: ['AccessLogs/Resource', 'Uploads/Resource'],
    });
  });

  it('acknowledges each finding on the resource itself, with a reason of its own', () => {
    const { app, stack } = synth();
    const findings = guardFindings(app, stack);
    const acknowledged = guardAcknowledgements(stack);
    for (const [rule, paths] of Object.entries(findings)) {
      for (const path of paths) {
        const owner = Object.keys(acknowledged[rule] ?? {}).find(
          (at) => path === at || path.startsWith(`${at}/`),
        );
        expect({ rule, path, acknowledged: owner !== undefined }).toEqual({ rule, path, acknowledged: true });
        expect((acknowledged[rule] as Record<string, string>)[owner as string]?.length).toBeGreaterThan(60);
      }
    }
    // Reasons are specific: no two rules share one.
    const reasons = Object.values(acknowledged).flatMap((byPath) => [...new Set(Object.values(byPath))]);
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it('synthesizes with cdk-nag and the Guard rules as cdk synth runs them (cdk/app.ts)', () => {
    expect(() => synthWithPlugins()).not.toThrow();
  });

  it('still fails on a finding nobody acknowledged (a log group added without thought)', () => {
    expect(() =>
      synthWithPlugins({}, (stack) => {
        new LogGroup(stack, 'Unplanned', { retention: RetentionDays.ONE_YEAR });
      }),
    ).toThrow(/CT\.CLOUDWATCH\.PR\.3[\s\S]*Test\/Unplanned/);
  });
});

describe('compliance: strict', () => {
  it('passes every Control Tower rule the plugin ships', () => {
    const { app, stack } = synth(STRICT);
    expect(guardFindings(app, stack)).toEqual({});
    expect(guardAcknowledgements(stack)).toEqual({});
  });

  it('synthesizes with cdk-nag and the Guard rules', () => {
    expect(() => synthWithPlugins(STRICT)).not.toThrow();
  });

  it('keeps every log group a year, encrypted with a key CloudWatch Logs may use for this account only', () => {
    const { template } = synth(STRICT);
    const key = logicalId(template, 'AWS::KMS::Key', 'PipelineLogsKey');
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*',
              },
            },
          }),
        ]),
      },
    });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
  it('runs every function (aws-cdk-lib helpers included) in the configured subnets, with the endpoints they call', () => {
    const { template } = synth(STRICT);
    const group = logicalId(template, 'AWS::EC2::SecurityGroup', 'PipelineFunctionsSecurityGroup');
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect((fn.Properties as { VpcConfig?: unknown }).VpcConfig).toEqual({
        SubnetIds: STRICT.vpcSubnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [group, 'GroupId'] }],
      });
    }
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) =>
      JSON.stringify((endpoint.Properties as { ServiceName: unknown }).ServiceName),
    );
    for (const service of ['.s3', '.dynamodb', '.sns', '.states', '.xray']) {
      expect(endpoints.some((name) => name.includes(service))).toBe(true);
    }
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: STRICT.vpcRouteTableIds,
    });
    for (const step of WORKFLOW_STEPS) {
      const statements = statementsOfRole(template, `Pipeline${constructIdOf(step.folder)}Role`);
      expect(JSON.stringify(statements)).toContain('ec2:CreateNetworkInterface');
    }
  });

  it("encrypts the uploads bucket with the stack's key, and the object readers get kms:Decrypt on it without configuration", () => {
    const { template } = synth(STRICT);
    const key = logicalId(template, 'AWS::KMS::Key', 'UploadsKey');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
            },
          }),
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      LoggingConfiguration: { DestinationBucketName: 'org-access-logs', LogFilePrefix: 'uploads/' },
    });
    expect(statementsOfRole(template, 'PipelineDescribeObjectRole')).toContainEqual(
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] } }),
    );
  });

  it('fails without the subnets or the access-log bucket it needs, saying why', () => {
    expect(() => parseConfig({ compliance: 'strict', accessLogsBucketName: 'org-access-logs' })).toThrow(
      /vpcSubnetIds: compliance "strict" runs the functions in a VPC/,
    );
    expect(() => parseConfig({ ...STRICT, accessLogsBucketName: undefined })).toThrow(
      /accessLogsBucketName: compliance "strict" logs the new uploads bucket to an existing bucket/,
    );
    expect(() => parseConfig({ ...STRICT, vpcRouteTableIds: ['rtb-0123456789abcdef0'] })).toThrow(
      /vpcRouteTableIds: expected one route table per subnet \(2\)/,
    );
  });
});
