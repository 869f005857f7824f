import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { requireEnv } from '../core/env';
import { parseInput } from '../core/validation';
import { logger, metrics, traced } from '../powertools';
import {
  type SqsBatchResponse,
  STARTER_SFN_CLIENT_CONFIG,
  sqsEventSchema,
  startExecutions,
  toBatchResponse,
} from './start-executions';

const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
// Comma-separated bucket names; unset means every bucket is accepted.
const watched = process.env.WATCHED_BUCKETS?.split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const watchedBuckets = watched && watched.length > 0 ? new Set(watched) : undefined;
// Unlike the workflow steps, the starter retries in the SDK (5 attempts, backoff): a
// failed message waits out a whole visibility timeout before it is redelivered.
const sfn = traced(new SFNClient(STARTER_SFN_CLIENT_CONFIG));

/** The ingest queue's consumer: SQS batch of S3 events -> one execution per object event. */
export const handler = async (event: unknown, context?: Context): Promise<SqsBatchResponse> => {
  if (context !== undefined) {
    logger.addContext(context);
    metrics.captureColdStartMetric(context.functionName);
  }
  try {
    const batch = parseInput(sqsEventSchema, event, 'SQS event');
    const outcomes = await startExecutions(batch, {
      sfn,
      stateMachineArn,
      log: logger,
      ...(watchedBuckets ? { watchedBuckets } : {}),
    });
    for (const outcome of outcomes) {
      if (outcome.outcome === 'test-event') metrics.addMetric('TestEvents', 'Count', 1);
      else if (outcome.outcome === 'failed') metrics.addMetric('RejectedMessages', 'Count', 1);
      else {
        const duplicates = outcome.executions.filter((execution) => execution.duplicate).length;
        metrics.addMetric('ExecutionsStarted', 'Count', outcome.executions.length - duplicates);
        if (duplicates > 0) metrics.addMetric('DuplicateEvents', 'Count', duplicates);
      }
    }
    return toBatchResponse(outcomes);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
