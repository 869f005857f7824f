import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { classifyAwsError, InvalidInputError, PipelineError } from '../core/errors';
import { executionName } from '../core/execution-name';
import type { ObjectEvent } from '../core/object-event';
import { parseNotificationBody } from '../core/s3-event';

/** The SQS event the starter receives (only the fields it uses are checked). */
export const sqsEventSchema = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});
export type SqsEvent = z.output<typeof sqsEventSchema>;
type SqsRecord = SqsEvent['Records'][number];

export interface StarterDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  /**
   * The buckets this pipeline records. An event for another bucket is
   * rejected (and dead-lettered): a misrouted notification, not an object of ours.
   * @default every bucket is accepted
   */
  watchedBuckets?: ReadonlySet<string>;
  /** Receives one line per message outcome (Powertools' Logger fits). */
  log: {
    info(message: string, extra: Record<string, unknown>): void;
    error(message: string, extra: Record<string, unknown>): void;
  };
}

/** What happened to one SQS message. */
export type MessageOutcome =
  | { messageId: string; outcome: 'started'; executions: { name: string; duplicate: boolean }[] }
  | { messageId: string; outcome: 'test-event' }
  | { messageId: string; outcome: 'failed'; errorName: string; reason: string };

/** Lambda's partial batch response: the messages to redeliver (and, after maxReceiveCount, dead-letter). */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** StartExecution calls in flight at once, to stay clear of the API's token bucket on large batches. */
const MAX_CONCURRENT_STARTS = 10;

/**
 * The starter's Step Functions client. StartExecution is throttled by a token
 * bucket per account and Region
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-api-action-throttling-general);
 * a bulk upload drives starterMaxConcurrency invocations with
 * MAX_CONCURRENT_STARTS calls each, more than its refill rate. A message
 * that fails on throttling waits a whole visibility timeout (180 s) and
 * reaches the dead-letter queue after 5 receives, so the throttle is absorbed
 * here: 5 attempts with the SDK's exponential backoff
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html;
 * after a throttling error the base delay is 500 ms, doubling, full jitter)
 * wait at most 0.5 + 1 + 2 + 4 = 7.5 s, well inside the function's 30 s.
 * Standard mode, not adaptive: adaptive's client-side rate limiter kept
 * cutting the rate under steady random throttling (the fault-injection
 * suite's 10%) until the queue no longer drained.
 */
export const STARTER_SFN_CLIENT_CONFIG = { retryMode: 'standard', maxAttempts: 5 } as const;

/**
 * Starts one execution for an object event, named deterministically. A name
 * that already exists is the same S3 event delivered again: a duplicate,
 * acknowledged, never a second execution.
 */
async function startExecution(
  event: ObjectEvent,
  deps: StarterDeps,
): Promise<{ name: string; duplicate: boolean }> {
  const name = executionName(event);
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name,
        input: JSON.stringify({ object: event }),
      }),
    );
    return { name, duplicate: false };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return { name, duplicate: true };
    throw classifyAwsError(error, `StartExecution ${name}`);
  }
}

async function processMessage(record: SqsRecord, deps: StarterDeps): Promise<MessageOutcome> {
  const { messageId } = record;
  // The object event being started, so that a failure's line names its bucket and key too.
  let current: ObjectEvent | undefined;
  try {
    const parsed = parseNotificationBody(record.body);
    if (parsed.kind === 'test') {
      deps.log.info('Acknowledged an s3:TestEvent (sent when notifications are configured)', {
        messageId,
        bucket: parsed.bucket,
      });
      return { messageId, outcome: 'test-event' };
    }
    const { watchedBuckets } = deps;
    const foreign = parsed.events.find(
      (event) => watchedBuckets !== undefined && !watchedBuckets.has(event.bucket),
    );
    if (foreign !== undefined && watchedBuckets !== undefined) {
      throw new InvalidInputError(
        `Bucket "${foreign.bucket}" is not watched by this pipeline (watched: ${[...watchedBuckets].join(', ')})`,
      );
    }
    const executions = [];
    // One message usually holds one record; several are started in order so a
    // failure part-way leaves the rest to the redelivery (the started ones are then duplicates).
    for (const event of parsed.events) {
      current = event;
      const execution = await startExecution(event, deps);
      executions.push(execution);
      deps.log.info(execution.duplicate ? 'Duplicate event: execution already exists' : 'Started execution', {
        messageId,
        bucket: event.bucket,
        key: event.key,
        sequencer: event.sequencer,
        eventName: event.eventName,
        execution: execution.name,
      });
    }
    return { messageId, outcome: 'started', executions };
  } catch (error) {
    const errorName = error instanceof Error ? error.name : 'Error';
    const reason = error instanceof Error ? error.message : String(error);
    const retryable = error instanceof PipelineError && error.retryable;
    deps.log.error(
      retryable
        ? 'Message failed and will be redelivered'
        : 'Message is not valid: it will be redelivered until it reaches the dead-letter queue',
      {
        messageId,
        ...(current ? { bucket: current.bucket, key: current.key, sequencer: current.sequencer } : {}),
        errorName,
        reason,
      },
    );
    return { messageId, outcome: 'failed', errorName, reason };
  }
}

/**
 * Processes one SQS batch of S3 event notifications: validates each message,
 * acknowledges s3:TestEvents, starts one execution per object event. Each
 * message succeeds or fails alone, so one bad message never blocks the others.
 */
export async function startExecutions(event: SqsEvent, deps: StarterDeps): Promise<MessageOutcome[]> {
  const outcomes: MessageOutcome[] = new Array(event.Records.length);
  let next = 0;
  const worker = async () => {
    while (next < event.Records.length) {
      const index = next;
      next += 1;
      const record = event.Records[index];
      if (record !== undefined) outcomes[index] = await processMessage(record, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_STARTS, event.Records.length) }, worker));
  return outcomes;
}

/** The partial batch response for a batch's outcomes. */
export function toBatchResponse(outcomes: readonly MessageOutcome[]): SqsBatchResponse {
  return {
    batchItemFailures: outcomes
      .filter((outcome) => outcome.outcome === 'failed')
      .map(({ messageId }) => ({ itemIdentifier: messageId })),
  };
}
