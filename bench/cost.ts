import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * Cost per million files, from what a run actually did (counts per file,
 * measured) times the list prices in prices.json (with their date).
 */
const pricesSchema = z.object({
  region: z.string(),
  asOf: z.string(),
  source: z.string(),
  stepFunctions: z.object({
    standardPerTransition: z.number(),
    expressPerRequest: z.number(),
    expressPerGbSecond: z.number(),
    expressMinimumMemoryGb: z.number(),
    expressMinimumBilledSeconds: z.number(),
  }),
  lambda: z.object({
    perRequest: z.number(),
    perGbSecondArm: z.number(),
    memoryGb: z.number(),
    billingGranularityMs: z.number(),
  }),
  dynamodb: z.object({ perWriteRequestUnit: z.number(), perReadRequestUnit: z.number() }),
  sns: z.object({ perPublish64Kb: z.number(), perHttpsDelivery: z.number() }),
  sqs: z.object({ perRequest64Kb: z.number() }),
  s3: z.object({ perGetHeadRequest: z.number() }),
  xray: z.object({ perTraceRecorded: z.number(), sampledShare: z.number() }),
});
export type Prices = z.output<typeof pricesSchema>;

export function loadPrices(): Prices {
  return pricesSchema.parse(JSON.parse(readFileSync(join(__dirname, 'prices.json'), 'utf8')));
}

/** What one file costs the pipeline, counted in a run (averages per file). */
export interface PerFile {
  transitions: number;
  lambdaInvocations: number;
  lambdaBilledMs: number;
  writeUnits: number;
  snsPublishes: number;
  sqsRequests: number;
  s3Requests: number;
  executionSeconds: number;
}

export type Breakdown = Record<string, number>;

const MILLION = 1_000_000;

function lambdaCost(
  prices: Prices,
  perFile: Pick<PerFile, 'lambdaInvocations' | 'lambdaBilledMs'>,
): Breakdown {
  return {
    'Lambda requests': perFile.lambdaInvocations * prices.lambda.perRequest * MILLION,
    'Lambda duration':
      (perFile.lambdaBilledMs / 1000) * prices.lambda.memoryGb * prices.lambda.perGbSecondArm * MILLION,
  };
}

function commonCost(prices: Prices, perFile: PerFile): Breakdown {
  return {
    ...lambdaCost(prices, perFile),
    'DynamoDB writes': perFile.writeUnits * prices.dynamodb.perWriteRequestUnit * MILLION,
    'SNS publish + 1 HTTPS delivery':
      perFile.snsPublishes * (prices.sns.perPublish64Kb + prices.sns.perHttpsDelivery) * MILLION,
    'SQS requests': perFile.sqsRequests * prices.sqs.perRequest64Kb * MILLION,
    'S3 HEAD/GET requests': perFile.s3Requests * prices.s3.perGetHeadRequest * MILLION,
    'X-Ray traces (5% sampled)': prices.xray.sampledShare * prices.xray.perTraceRecorded * MILLION,
  };
}

/** STANDARD: every state transition billed. */
export function standardCost(prices: Prices, perFile: PerFile): Breakdown {
  return {
    'Step Functions transitions': perFile.transitions * prices.stepFunctions.standardPerTransition * MILLION,
    ...commonCost(prices, perFile),
  };
}

/** EXPRESS: per request plus duration (64 MB minimum, 100 ms minimum). */
export function expressCost(prices: Prices, perFile: PerFile): Breakdown {
  const seconds = Math.max(perFile.executionSeconds, prices.stepFunctions.expressMinimumBilledSeconds);
  return {
    'Step Functions requests': prices.stepFunctions.expressPerRequest * MILLION,
    'Step Functions duration':
      seconds *
      prices.stepFunctions.expressMinimumMemoryGb *
      prices.stepFunctions.expressPerGbSecond *
      MILLION,
    ...commonCost(prices, perFile),
  };
}

/** What one enrichment stage does per file, counted in a run. */
export type StageCounts = Pick<PerFile, 'transitions' | 'lambdaInvocations' | 'lambdaBilledMs'>;

/**
 * What one enrichment stage adds per million files: on STANDARD its Task's
 * state transitions (one per file, plus one per retry) and its Lambda; on
 * EXPRESS its Lambda and the execution time it adds (at least its own duration).
 * Any S3 read a stage makes is in the pipeline's S3 line, not here.
 */
export function stageCost(prices: Prices, stage: StageCounts): { standard: Breakdown; express: Breakdown } {
  const lambda = lambdaCost(prices, stage);
  return {
    standard: {
      'Step Functions transitions': stage.transitions * prices.stepFunctions.standardPerTransition * MILLION,
      ...lambda,
    },
    express: {
      'Step Functions duration':
        (stage.lambdaBilledMs / 1000) *
        prices.stepFunctions.expressMinimumMemoryGb *
        prices.stepFunctions.expressPerGbSecond *
        MILLION,
      ...lambda,
    },
  };
}

/** The classic single Lambda: one invocation, HeadObject, PutItem (no index, no notification). */
export function classicCost(
  prices: Prices,
  perFile: Pick<PerFile, 'lambdaBilledMs' | 'writeUnits'>,
): Breakdown {
  return {
    ...lambdaCost(prices, { lambdaInvocations: 1, lambdaBilledMs: perFile.lambdaBilledMs }),
    'DynamoDB writes': perFile.writeUnits * prices.dynamodb.perWriteRequestUnit * MILLION,
    'S3 HEAD/GET requests': 1 * prices.s3.perGetHeadRequest * MILLION,
  };
}

export const total = (breakdown: Breakdown) =>
  Object.values(breakdown).reduce((sum, value) => sum + value, 0);

/** DynamoDB item size, as DynamoDB counts it: attribute names and values, in bytes. */
export function itemBytes(item: Record<string, unknown>): number {
  const size = (value: unknown): number => {
    if (value === null || value === undefined) return 1;
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
    if (typeof value === 'boolean') return 1;
    if (Array.isArray(value)) return 3 + value.reduce((sum: number, entry) => sum + size(entry) + 1, 0);
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (sum, [name, entry]) => sum + Buffer.byteLength(name) + size(entry) + 1,
        0,
      )
    );
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + size(value), 0);
}

/** Write request units of one write: one per KB, for the table and for each index the item appears in. */
export function writeUnits(item: Record<string, unknown>, indexes: number): number {
  return Math.ceil(itemBytes(item) / 1024) * (1 + indexes);
}
