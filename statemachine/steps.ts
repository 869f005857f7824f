/**
 * The registry of the workflow's Lambda steps: the one list that the CDK
 * construct (functions and grants), the local runtime, the workflow test
 * harness, the bench and the security tests derive from. Adding a step means
 * adding its folder under `functions/`, its Task in the definition file and
 * one entry here; `test/workflow/registry.test.ts` fails when any of the three
 * has no counterpart. See "Adding an enrichment stage" in docs/architecture.md.
 *
 * Data only: `cdk/` imports this file, and must not import functions' code.
 */

/**
 * What a step's function may do in AWS. The construct turns each into grants
 * on the watched buckets (under their prefixes), the table or the topic.
 *
 * - `describe-objects`: HeadObject and its tags (s3:GetObject, s3:GetObjectVersion,
 *   s3:GetObjectTagging, s3:GetObjectVersionTagging) and s3:ListBucket, without
 *   which HeadObject of a deleted key answers 403 instead of 404
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Permissions").
 * - `read-objects`: ranged GETs of the objects (s3:GetObject, s3:GetObjectVersion).
 * - `write-table`: PutItem and UpdateItem on the table (not its indexes), and TABLE_NAME.
 * - `publish-topic`: sns:Publish on the notification topic, and TOPIC_ARN.
 */
export type StepAccess = 'describe-objects' | 'read-objects' | 'write-table' | 'publish-topic';

/** One Lambda step of the workflow. */
export interface WorkflowStep {
  /** Its folder under `functions/` (entry `index.ts`, export `handler`); also its name in logs and metrics. */
  readonly folder: string;
  /** The `${...}` placeholder of the definition that stands for its function's ARN. */
  readonly placeholder: string;
  /** The AWS access its function needs; nothing else is granted. */
  readonly access: readonly StepAccess[];
  /**
   * Set for an enrichment stage: the key under `$.facts.enrichment` where its
   * Task writes its result. Stages receive the object event, the description,
   * the sample of the first bytes and the results of the stages before them
   * (`functions/core/enrichment.ts`); write-metadata stores their attributes.
   * @default not an enrichment stage
   */
  readonly enrichmentKey?: string;
}

/** The workflow's Lambda steps, in the order an object meets them. */
export const WORKFLOW_STEPS = [
  {
    folder: 'describe-object',
    placeholder: 'DescribeObjectFunctionArn',
    access: ['describe-objects'],
  },
  {
    folder: 'sniff-content',
    placeholder: 'SniffContentFunctionArn',
    access: [],
    enrichmentKey: 'contentSniffing',
  },
  {
    folder: 'inspect-media',
    placeholder: 'InspectMediaFunctionArn',
    access: ['read-objects'],
    enrichmentKey: 'mediaInspection',
  },
  {
    folder: 'write-metadata',
    placeholder: 'WriteMetadataFunctionArn',
    access: ['write-table'],
  },
  {
    folder: 'publish-notification',
    placeholder: 'PublishNotificationFunctionArn',
    access: ['publish-topic'],
  },
] as const satisfies readonly WorkflowStep[];

/** A workflow step's name (its folder under functions/). */
export type StepName = (typeof WORKFLOW_STEPS)[number]['folder'];

/** The function outside the workflow: it reads the ingest queue and starts executions. */
export const STARTER = 'starter';

/** Every Lambda function of the pipeline, by folder under functions/: the starter, then the steps. */
export type FunctionName = StepName | typeof STARTER;
export const FUNCTION_NAMES: readonly FunctionName[] = [
  STARTER,
  ...WORKFLOW_STEPS.map((step) => step.folder),
];

/** The enrichment stages, in workflow order. */
export const ENRICHMENT_STAGES: readonly (WorkflowStep & { enrichmentKey: string })[] = WORKFLOW_STEPS.filter(
  (step): step is (typeof WORKFLOW_STEPS)[number] & { enrichmentKey: string } => 'enrichmentKey' in step,
);

/** A folder name as a construct id: `describe-object` -> `DescribeObject`. */
export function constructIdOf(folder: string): string {
  return folder.replace(/(^|-)([a-z])/g, (_, _dash, letter: string) => letter.toUpperCase());
}
