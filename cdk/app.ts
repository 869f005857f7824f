#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ControlTowerChecks } from './compliance';
import { ConfigError, parseConfig } from './config';
import { MetadataPipelineStack } from './metadata-pipeline-stack';

const app = new App();
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(app.node.getAllContext());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // One clear message and a non-zero exit; a stack trace would only hide it.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

new MetadataPipelineStack(app, 'S3MetadataPipeline', {
  config,
  description: 's3-metadata-pipeline: a queryable record of every object that lands in, or leaves, Amazon S3',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// AWS Solutions checks and the AWS Control Tower proactive controls (Guard rules) run on every
// synth; findings fail it unless acknowledged with a reason (cdk/nag.ts, cdk/compliance.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ControlTowerChecks());
