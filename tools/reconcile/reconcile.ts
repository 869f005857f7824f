import { HeadObjectCommand, ListObjectsV2Command, NotFound, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { executionName } from '../../functions/core/execution-name';
import type { ObjectEvent } from '../../functions/core/object-event';
import { normalizeETag } from '../../functions/core/s3-event';
import { padSequencer } from '../../functions/core/sequencer';

/**
 * Reconcile: the bucket and the table side by side. Both are read page by
 * page, in key order, and merged like two sorted files, so a bucket of any
 * size is checked with a few pages in memory.
 *
 * Gaps:
 * - missing: an object with no item (or with a tombstone);
 * - mismatch: an item whose ETag or size is not the object's;
 * - orphan: an item of an object that no longer exists.
 *
 * `fix` re-checks each gap with HeadObject (listings are not atomic) and
 * starts the normal workflow for it, with the item's sequencer plus one: the
 * repair wins over the stale item, and any later real event still wins over
 * the repair. Execution names are deterministic, so running reconcile twice
 * starts nothing extra; only when an earlier repair has ended and the gap is
 * still there does the next run try again (sequencer plus two, then three).
 */

/** Repairs tried for one gap before reconcile gives up and points at their histories. */
export const MAX_REPAIR_ATTEMPTS = 3;

export interface ListedObject {
  key: string;
  eTag: string;
  size: number;
  lastModified?: Date;
}

export interface RecordedItem {
  key: string;
  eTag?: string;
  size?: number;
  status: string;
  sequencer: string;
}

export type Gap =
  | { kind: 'missing'; key: string; object: ListedObject; item?: RecordedItem }
  | { kind: 'mismatch'; key: string; object: ListedObject; item: RecordedItem }
  | { kind: 'orphan'; key: string; item: RecordedItem };

export interface ReconcileDeps {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  sfn?: SFNClient;
}

export interface ReconcileOptions {
  bucket: string;
  /** @default every key */
  prefix?: string;
  tableName: string;
  /** Start the workflow for each gap. Needs `stateMachineArn` and an SFN client. */
  fix?: boolean;
  stateMachineArn?: string;
  /** Told about each gap, and about each fix. */
  onGap?: (gap: Gap) => void;
  onFix?: (gap: Gap, result: FixResult) => void;
}

export type FixResult =
  | { started: true; executionName: string }
  | { started: false; executionName?: string; reason: string; gaveUp?: true };

export interface ReconcileSummary {
  objects: number;
  items: number;
  missing: number;
  mismatch: number;
  orphan: number;
  started: number;
  /** Gaps left alone: closed meanwhile, or a repair already running. */
  skipped: number;
  /** Gaps whose earlier repairs all ended without closing them: --fix gave up on these. */
  gaveUp: number;
}

/** S3 lists keys, and DynamoDB sorts string keys, in UTF-8 byte order (not JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function* listObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield {
        key: object.Key,
        eTag: normalizeETag(object.ETag ?? ''),
        size: object.Size ?? 0,
        ...(object.LastModified ? { lastModified: object.LastModified } : {}),
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function* listItems(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  bucket: string,
  prefix: string,
): AsyncGenerator<RecordedItem> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix ? '#b = :b AND begins_with(#k, :p)' : '#b = :b',
        ExpressionAttributeNames: {
          '#b': 'BucketName',
          '#k': 'ObjectKey',
          '#e': 'ETag',
          '#s': 'FileSize',
          '#st': 'Status',
          '#q': 'Sequencer',
        },
        ExpressionAttributeValues: { ':b': bucket, ...(prefix ? { ':p': prefix } : {}) },
        ProjectionExpression: '#k, #e, #s, #st, #q',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      yield {
        key: String(item.ObjectKey),
        ...(item.ETag !== undefined ? { eTag: String(item.ETag) } : {}),
        ...(item.FileSize !== undefined ? { size: Number(item.FileSize) } : {}),
        status: String(item.Status ?? 'present'),
        sequencer: String(item.Sequencer ?? '0'),
      };
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The sequencer of repair `attempt` (1, 2...): that much more than what the item holds. */
export function repairSequencer(item: RecordedItem | undefined, attempt = 1): string {
  const current = item === undefined ? 0n : BigInt(`0x${padSequencer(item.sequencer)}`);
  return (current + BigInt(attempt)).toString(16).toUpperCase();
}

/** The event a repair starts the workflow with. */
export function repairEvent(gap: Gap, bucket: string, now: Date, attempt = 1): ObjectEvent {
  const sequencer = repairSequencer(gap.item, attempt);
  if (gap.kind === 'orphan') {
    return {
      bucket,
      key: gap.key,
      eventName: 'ObjectRemoved:Reconcile',
      eventType: 'removed',
      eventTime: now.toISOString(),
      sequencer,
    };
  }
  return {
    bucket,
    key: gap.key,
    eventName: 'ObjectCreated:Reconcile',
    eventType: 'created',
    eventTime: (gap.object.lastModified ?? now).toISOString(),
    sequencer,
    size: gap.object.size,
    eTag: gap.object.eTag,
  };
}

/** Checks a gap again against the object as it is now; returns undefined when it closed meanwhile. */
async function recheck(gap: Gap, bucket: string, s3: S3Client): Promise<Gap | undefined> {
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: gap.key }))
    .catch((error: unknown) => {
      // HeadObject has no body to name its error: the SDK's NotFound class, or the bare 404 status.
      if (
        error instanceof NotFound ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return undefined;
      throw error;
    });
  if (gap.kind === 'orphan') return head === undefined ? gap : undefined;
  if (head === undefined) return undefined; // deleted since the listing: its delete event records it
  const object = { ...gap.object, eTag: normalizeETag(head.ETag ?? ''), size: head.ContentLength ?? 0 };
  if (gap.kind === 'mismatch' && object.eTag === gap.item.eTag && object.size === gap.item.size)
    return undefined;
  return { ...gap, object };
}

async function fix(gap: Gap, options: ReconcileOptions, deps: ReconcileDeps): Promise<FixResult> {
  const { sfn } = deps;
  if (sfn === undefined || options.stateMachineArn === undefined) {
    return { started: false, reason: 'no state machine to start (give --state-machine-arn)' };
  }
  const current = await recheck(gap, options.bucket, deps.s3);
  if (current === undefined) return { started: false, reason: 'closed since it was listed' };
  let name = '';
  for (let attempt = 1; attempt <= MAX_REPAIR_ATTEMPTS; attempt += 1) {
    const event = repairEvent(current, options.bucket, new Date(), attempt);
    name = executionName(event);
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: options.stateMachineArn,
          name,
          input: JSON.stringify({ object: event }),
        }),
      );
      return { started: true, executionName: name };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
    const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const earlier = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (earlier.status === 'RUNNING')
      return { started: false, executionName: name, reason: 'a repair is already running' };
    // That repair ended and the gap is still there: the next attempt gets a new sequencer, so a new name.
  }
  return {
    started: false,
    gaveUp: true,
    executionName: name,
    reason: `${MAX_REPAIR_ATTEMPTS} earlier repairs ended without closing the gap; see their execution histories (last: ${name})`,
  };
}

/** Compares a bucket (under a prefix) with the table; reports and optionally repairs every gap. */
export async function reconcile(options: ReconcileOptions, deps: ReconcileDeps): Promise<ReconcileSummary> {
  const prefix = options.prefix ?? '';
  const summary: ReconcileSummary = {
    objects: 0,
    items: 0,
    missing: 0,
    mismatch: 0,
    orphan: 0,
    started: 0,
    skipped: 0,
    gaveUp: 0,
  };
  const objects = listObjects(deps.s3, options.bucket, prefix);
  const items = listItems(deps.dynamo, options.tableName, options.bucket, prefix);
  let object = await objects.next();
  let item = await items.next();

  const report = async (gap: Gap) => {
    summary[gap.kind] += 1;
    options.onGap?.(gap);
    if (!options.fix) return;
    const result = await fix(gap, options, deps);
    if (result.started) summary.started += 1;
    else if (result.gaveUp) summary.gaveUp += 1;
    else summary.skipped += 1;
    options.onFix?.(gap, result);
  };

  while (!object.done || !item.done) {
    const order = object.done ? 1 : item.done ? -1 : compareKeys(object.value.key, item.value.key);
    if (order < 0 && !object.done) {
      summary.objects += 1;
      await report({ kind: 'missing', key: object.value.key, object: object.value });
      object = await objects.next();
    } else if (order > 0 && !item.done) {
      summary.items += 1;
      if (item.value.status !== 'deleted')
        await report({ kind: 'orphan', key: item.value.key, item: item.value });
      item = await items.next();
    } else if (!object.done && !item.done) {
      summary.objects += 1;
      summary.items += 1;
      const listed = object.value;
      const recorded = item.value;
      if (recorded.status === 'deleted')
        await report({ kind: 'missing', key: listed.key, object: listed, item: recorded });
      else if (recorded.eTag !== listed.eTag || recorded.size !== listed.size) {
        await report({ kind: 'mismatch', key: listed.key, object: listed, item: recorded });
      }
      object = await objects.next();
      item = await items.next();
    }
  }
  return summary;
}
