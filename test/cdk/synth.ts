import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../cdk/config';
import { MetadataPipelineStack } from '../../cdk/metadata-pipeline-stack';

/** cdk.json's context: its feature flags and default configuration apply to the tests too. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * Synthesizes the stack from cdk.json's context plus `context` (as `-c` flags
 * would add), as `cdk synth` does, without bundling the functions (bundling
 * has its own test).
 */
export function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new MetadataPipelineStack(app, 'Test', {
    config: parseConfig(app.node.getAllContext()),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Json = Record<string, unknown>;

/** The logical id of the one resource of a type whose id starts with a prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found [${ids.join(', ')}]`);
  return ids[0] as string;
}

/** The deployed state machine definition, with each token replaced by a readable marker. */
export function deployedDefinition(template: Template): Json {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definition = (machines[0]?.Properties as Json | undefined)?.DefinitionString as
    | { 'Fn::Join': [string, unknown[]] }
    | string;
  if (typeof definition === 'string') return JSON.parse(definition);
  const text = definition['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      return getAtt ? `<${getAtt[0]}.${getAtt[1]}>` : JSON.stringify(part);
    })
    .join('');
  return JSON.parse(text);
}

/** Every policy statement attached to a role whose logical id starts with a prefix. */
export function statementsOfRole(template: Template, rolePrefix: string): Json[] {
  const role = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify((policy.Properties as Json).Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((policy) => ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);
}
