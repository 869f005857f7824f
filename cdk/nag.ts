import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledging cdk-nag findings precisely. AwsSolutions-IAM5 reports each
 * wildcard resource separately (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`);
 * acknowledging that exact finding, rather than the whole rule, keeps any new
 * wildcard visible. The format mirrors cdk-nag's (see its flattenCfnReference),
 * and the cdk tests run the checks, so a mismatch fails them.
 */

type Intrinsic = string | { [fn: string]: unknown };

/** Renders a resolved CloudFormation value as cdk-nag names it in findings. */
function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flatten(node['Fn::Sub']);
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) return flatten(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}

/** Acknowledges the AwsSolutions-IAM5 finding of one wildcard resource, with the reason. */
export function acknowledgeWildcardResource(construct: IConstruct, resource: string, reason: string): void {
  const rendered = flatten(Stack.of(construct).resolve(resource) as Intrinsic);
  Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

/** Acknowledges the AwsSolutions-IAM4 finding of one AWS managed policy, with the reason. */
export function acknowledgeManagedPolicy(construct: IConstruct, policyArn: string, reason: string): void {
  Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM4[Policy::${policyArn}]`, reason });
}

/** Why `Resource: *` appears in a role that traces with X-Ray. */
export const XRAY_REASON =
  'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions: Resource must be *.';
