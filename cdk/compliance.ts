import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/**
 * AWS Control Tower proactive controls, as AWS publishes them in Guard
 * (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html):
 * organisations enforce them as CloudFormation hooks, so a template that
 * violates one does not deploy there. `@cdklabs/cdk-validator-cfnguard` runs
 * them at synth next to cdk-nag (cdk/app.ts).
 *
 * Two profiles (`compliance` in cdk.json):
 * - `strict`: the template passes every rule.
 * - `default`: each rule the stack does not meet is acknowledged where it
 *   applies, with the reason, as cdk-nag's findings are. A new violation
 *   (a resource added without thought) still fails synth.
 */
export type ComplianceProfile = 'default' | 'strict';

/** The plugin's name: acknowledgement ids are `<plugin>::<rule name>`. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/** The Control Tower rules this stack meets only in the strict profile, by Guard rule name. */
export const GUARD_RULES = {
  logRetention: 'cloudwatch_log_group_retention_period_check', // CT.CLOUDWATCH.PR.2
  logEncryption: 'cloudwatch_log_group_encrypted_check', // CT.CLOUDWATCH.PR.3
  lambdaInVpc: 'lambda_inside_vpc_check', // CT.LAMBDA.PR.3
  bucketKmsEncryption: 's3_bucket_default_encryption_kms_check', // CT.S3.PR.10
  bucketVersioning: 's3_bucket_versioning_enabled_check', // CT.S3.PR.11
  bucketLogging: 's3_bucket_logging_enabled_check', // CT.S3.PR.2
  bucketNotifications: 's3_event_notifications_enabled_check', // CT.S3.PR.4
  bucketLifecycle: 's3_lifecycle_policy_check', // CT.S3.PR.6
  bucketObjectLock: 's3_bucket_object_lock_enabled_check', // CT.S3.PR.9
} as const;

/** Acknowledges one Guard rule on one construct, with the reason. */
export function acknowledgeGuardRule(
  construct: IConstruct,
  rule: (typeof GUARD_RULES)[keyof typeof GUARD_RULES],
  reason: string,
): void {
  Validations.of(construct).acknowledge({ id: `${GUARD_PLUGIN}::${rule}`, reason });
}

/**
 * CT.KMS.PR.3 on every key of the stack: kms:CreateGrant only for AWS
 * services acting on AWS resources. Grants are how AWS services (SNS among
 * them) use a key on a caller's behalf; nobody else needs one here.
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'GrantsForAwsServicesOnly',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

/**
 * The Control Tower Guard rules as a synth plugin: @cdklabs/cdk-validator-cfnguard
 * with one fix. Its violations carry no `severity`; once any finding of a
 * report is acknowledged, aws-cdk-lib (2.276) recomputes the report's
 * success as "no violation of severity error", so every other, unacknowledged
 * violation would then pass synth silently (printed, exit 0). Each violation
 * is marked an error here, so a new one still fails synth (tested in
 * test/cdk/compliance.test.ts). The name stays the plugin's: acknowledgement
 * ids are `cdk-validator-cfnguard::<rule>`.
 */
export class ControlTowerChecks implements IPolicyValidationPluginBeta1 {
  private readonly guard = new CfnGuardValidator();
  readonly name = this.guard.name;
  readonly version = this.guard.version;
  readonly ruleIds = this.guard.ruleIds;

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({
        ...violation,
        severity: violation.severity ?? 'error',
      })),
    };
  }
}
