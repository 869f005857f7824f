import {
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NotFound,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListStateMachinesCommand,
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
 * size is checked with a few pages in memory. A versioned bucket is compared
 * on its current versions (ListObjectVersions, the versions S3 marks latest).
 *
 * Gaps:
 * - missing: an object with no item (or with a tombstone);
 * - mismatch: an item whose ETag, size or (versioned bucket) version is not the current object's;
 * - orphan: a present item of a key that has no current version (a tombstone is not an orphan);
 * - tags (with `tags`): an item whose tags are not the object's (one GetObjectTagging per object).
 *
 * `fix` re-checks each gap with HeadObject (listings are not atomic) and
 * starts the normal workflow for it. A missing object or a mismatch gets an
 * `ObjectCreated:Reconcile` event and an orphan an `ObjectRemoved:Reconcile`
 * one, with the item's sequencer plus one: the repair wins over the stale
 * item, and any later real event still wins over the repair. A tag gap gets
 * an `ObjectTagging:Put` event (S3 sends those without a sequencer) whose
 * time is just after the item's last one, so its guard lets it through.
 * Execution names are deterministic, so running reconcile twice starts
 * nothing extra; only when an earlier repair has ended and the gap is still
 * there does the next run try again (plus two, then three).
 */

/** Repairs tried for one gap before reconcile gives up and points at their histories. */
export const MAX_REPAIR_ATTEMPTS = 3;

/** Who the repair events say made them (the item's `Requester`). */
export const REPAIR_REQUESTER = 'reconcile';

export interface ListedObject {
  key: string;
  eTag: string;
  size: number;
  lastModified?: Date;
  /** The current version's id, in a versioned bucket (`null` for a version written while versioning was off). */
  versionId?: string;
}

export interface RecordedItem {
  key: string;
  eTag?: string;
  size?: number;
  status: string;
  sequencer: string;
  versionId?: string;
  isDeleteMarker?: boolean;
  tags?: Record<string, string>;
  uploadTime?: string;
  metadataEventTime?: string;
}

export type Gap =
  | { kind: 'missing'; key: string; object: ListedObject; item?: RecordedItem }
  | { kind: 'mismatch'; key: string; object: ListedObject; item: RecordedItem }
  | { kind: 'orphan'; key: string; item: RecordedItem }
  | { kind: 'tags'; key: string; object: ListedObject; item: RecordedItem; tags: Record<string, string> };

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
  /** Also compare tags: one GetObjectTagging request per object whose item otherwise matches. */
  tags?: boolean;
  /** Start the workflow for each gap. Needs `stateMachineArn` and an SFN client. */
  fix?: boolean;
  stateMachineArn?: string;
  /** Told about each gap, and about each fix. */
  onGap?: (gap: Gap) => void;
  onFix?: (gap: Gap, result: FixResult) => void;
  /** The time of orphan repairs. @default the clock */
  now?: () => Date;
}

export type FixResult =
  | { started: true; executionName: string }
  | { started: false; executionName?: string; reason: string; gaveUp?: true };

export interface ReconcileSummary {
  /** Whether the bucket has (or had) versioning on: then its current versions were compared. */
  versioned: boolean;
  objects: number;
  items: number;
  missing: number;
  mismatch: number;
  orphan: number;
  tags: number;
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

/** One key of the merge: its object, its item, or both. */
export type Pair =
  | { key: string; object: ListedObject; item?: undefined }
  | { key: string; object?: undefined; item: RecordedItem }
  | { key: string; object: ListedObject; item: RecordedItem };

/**
 * Merges two listings sorted by key (as `compare` orders them) into pairs of
 * the same key. Both must be in that order: given listings in UTF-8 byte order
 * and a UTF-16 `compare`, keys above U+FFFF and in U+E000-U+FFFF fall apart.
 */
export async function* mergeByKey(
  objects: AsyncIterable<ListedObject>,
  items: AsyncIterable<RecordedItem>,
  compare: (a: string, b: string) => number = compareKeys,
): AsyncGenerator<Pair> {
  const objectCursor = objects[Symbol.asyncIterator]();
  const itemCursor = items[Symbol.asyncIterator]();
  let object = await objectCursor.next();
  let item = await itemCursor.next();
  for (;;) {
    const o: ListedObject | undefined = object.done ? undefined : object.value;
    const i: RecordedItem | undefined = item.done ? undefined : item.value;
    if (o === undefined && i === undefined) return;
    const order = o === undefined ? 1 : i === undefined ? -1 : compare(o.key, i.key);
    if (o !== undefined && order < 0) {
      yield { key: o.key, object: o };
      object = await objectCursor.next();
    } else if (i !== undefined && order > 0) {
      yield { key: i.key, item: i };
      item = await itemCursor.next();
    } else if (o !== undefined && i !== undefined) {
      yield { key: o.key, object: o, item: i };
      object = await objectCursor.next();
      item = await itemCursor.next();
    }
  }
}

/**
 * Whether the bucket's versioning is on or suspended
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html:
 * no Status when it was never enabled).
 */
async function isVersioned(s3: S3Client, bucket: string): Promise<boolean> {
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return Status === 'Enabled' || Status === 'Suspended';
}

/** The objects of an unversioned bucket: ListObjectsV2, in UTF-8 byte order of their keys. */
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

/**
 * The current versions of a versioned bucket: ListObjectVersions lists keys in
 * order and each key's versions newest first, with `IsLatest` on the current
 * one; a key whose latest entry is a delete marker has no current version
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
 */
async function* listCurrentVersions(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListedObject> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let truncated = false;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const version of page.Versions ?? []) {
      if (version.Key === undefined || version.IsLatest !== true) continue;
      yield {
        key: version.Key,
        eTag: normalizeETag(version.ETag ?? ''),
        size: version.Size ?? 0,
        ...(version.LastModified ? { lastModified: version.LastModified } : {}),
        versionId: version.VersionId ?? 'null',
      };
    }
    truncated = page.IsTruncated === true;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  } while (truncated && keyMarker !== undefined);
}

const ITEM_ATTRIBUTES = {
  '#k': 'ObjectKey',
  '#e': 'ETag',
  '#s': 'FileSize',
  '#st': 'Status',
  '#q': 'Sequencer',
  '#v': 'VersionId',
  '#dm': 'IsDeleteMarker',
  '#u': 'UploadTime',
  '#m': 'MetadataEventTime',
} as const;

async function* listItems(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  bucket: string,
  prefix: string,
  withTags: boolean,
): AsyncGenerator<RecordedItem> {
  const names: Record<string, string> = {
    '#b': 'BucketName',
    ...ITEM_ATTRIBUTES,
    ...(withTags ? { '#t': 'Tags' } : {}),
  };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix ? '#b = :b AND begins_with(#k, :p)' : '#b = :b',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':b': bucket, ...(prefix ? { ':p': prefix } : {}) },
        ProjectionExpression: Object.keys(names)
          .filter((name) => name !== '#b')
          .join(', '),
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
        ...(item.VersionId !== undefined ? { versionId: String(item.VersionId) } : {}),
        ...(item.IsDeleteMarker !== undefined ? { isDeleteMarker: item.IsDeleteMarker === true } : {}),
        ...(item.UploadTime !== undefined ? { uploadTime: String(item.UploadTime) } : {}),
        ...(item.MetadataEventTime !== undefined
          ? { metadataEventTime: String(item.MetadataEventTime) }
          : {}),
        ...(withTags ? { tags: (item.Tags ?? {}) as Record<string, string> } : {}),
      };
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Whether an item describes this object: its ETag, its size, and in a versioned bucket its version. */
function describes(item: RecordedItem, object: ListedObject): boolean {
  return (
    item.eTag === object.eTag &&
    item.size === object.size &&
    // S3 writes a `null` version while versioning is off or suspended; an item of one may hold no VersionId.
    (object.versionId === undefined || (item.versionId ?? 'null') === object.versionId)
  );
}

/** The gap of one key, tags aside. */
function classify(pair: Pair): Gap | undefined {
  const { key, object, item } = pair;
  if (object === undefined) {
    // A tombstone (a delete marker is current, or no version is) is what an absent object should have.
    return item.status === 'deleted' ? undefined : { kind: 'orphan', key, item };
  }
  if (item === undefined) return { kind: 'missing', key, object };
  if (item.status === 'deleted') return { kind: 'missing', key, object, item };
  if (!describes(item, object)) return { kind: 'mismatch', key, object, item };
  return undefined;
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

async function readTags(s3: S3Client, bucket: string, object: ListedObject): Promise<Record<string, string>> {
  const { TagSet } = await s3.send(
    new GetObjectTaggingCommand({
      Bucket: bucket,
      Key: object.key,
      ...(object.versionId !== undefined ? { VersionId: object.versionId } : {}),
    }),
  );
  return Object.fromEntries((TagSet ?? []).map(({ Key, Value }) => [Key ?? '', Value ?? '']));
}

/** The sequencer of repair `attempt` (1, 2...): that much more than what the item holds. */
export function repairSequencer(item: RecordedItem | undefined, attempt = 1): string {
  const current = item === undefined ? 0n : BigInt(`0x${padSequencer(item.sequencer)}`);
  return (current + BigInt(attempt)).toString(16).toUpperCase();
}

/**
 * The event time of tag repair `attempt`: `attempt` milliseconds after the
 * item's upload and last metadata event, the two times the guard of a
 * metadata event compares (as strings). Derived from the item alone, so a
 * second run makes the same event (the same execution name) until the item
 * changes.
 */
export function repairEventTime(item: RecordedItem, attempt = 1): string {
  const after =
    [item.uploadTime, item.metadataEventTime]
      .filter((time): time is string => time !== undefined)
      .sort()
      .at(-1) ?? '1970-01-01T00:00:00.000Z';
  const parsed = Date.parse(after);
  let time = (Number.isNaN(parsed) ? 0 : parsed) + attempt;
  // A stored time written without milliseconds sorts after one with them: step over it.
  while (new Date(time).toISOString() <= after) time += 1000;
  return new Date(time).toISOString();
}

/** The event a repair starts the workflow with. */
export function repairEvent(
  gap: Gap,
  bucket: string,
  now: Date,
  attempt = 1,
  versioned = false,
): ObjectEvent {
  const common = { bucket, key: gap.key, requester: REPAIR_REQUESTER };
  switch (gap.kind) {
    case 'orphan':
      return {
        ...common,
        // In a versioned bucket a removal with a version id makes the workflow look up what is
        // current (a delete marker is recorded as one); without, it writes a plain tombstone.
        ...(versioned ? { versionId: gap.item.versionId ?? 'null' } : {}),
        eventName: 'ObjectRemoved:Reconcile',
        eventType: 'removed',
        eventTime: now.toISOString(),
        sequencer: repairSequencer(gap.item, attempt),
      };
    case 'tags':
      return {
        ...common,
        // The update guard then checks that the item still describes this version.
        ...(versioned && gap.item.versionId !== undefined ? { versionId: gap.item.versionId } : {}),
        eventName: 'ObjectTagging:Put',
        eventType: 'updated',
        eventTime: repairEventTime(gap.item, attempt),
      };
    default:
      return {
        ...common,
        ...(versioned && gap.object.versionId !== undefined ? { versionId: gap.object.versionId } : {}),
        eventName: 'ObjectCreated:Reconcile',
        eventType: 'created',
        eventTime: (gap.object.lastModified ?? now).toISOString(),
        sequencer: repairSequencer(gap.item, attempt),
        size: gap.object.size,
        eTag: gap.object.eTag,
      };
  }
}

/**
 * Checks a gap again against the key's current version; returns undefined
 * when it closed meanwhile. A tag gap whose object changed since the listing
 * becomes a mismatch: the object is described again, tags included.
 */
async function recheck(gap: Gap, bucket: string, s3: S3Client): Promise<Gap | undefined> {
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: gap.key }))
    .catch((error: unknown) => {
      // HeadObject has no body to name its error: the SDK's NotFound class, or the bare 404 status
      // (also the answer when a delete marker is current).
      if (
        error instanceof NotFound ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return undefined;
      throw error;
    });
  if (gap.kind === 'orphan') return head === undefined ? gap : undefined;
  if (head === undefined) return undefined; // deleted since the listing: its delete event records it
  const object: ListedObject = {
    ...gap.object,
    eTag: normalizeETag(head.ETag ?? ''),
    size: head.ContentLength ?? 0,
    ...(gap.object.versionId !== undefined ? { versionId: head.VersionId ?? 'null' } : {}),
  };
  if (gap.kind === 'missing') return { ...gap, object };
  if (!describes(gap.item, object)) return { kind: 'mismatch', key: gap.key, object, item: gap.item };
  return gap.kind === 'tags' ? { ...gap, object } : undefined;
}

async function fix(
  gap: Gap,
  options: ReconcileOptions,
  deps: ReconcileDeps,
  versioned: boolean,
): Promise<FixResult> {
  const { sfn } = deps;
  if (sfn === undefined || options.stateMachineArn === undefined) {
    return { started: false, reason: 'no state machine to start (give --state-machine-arn)' };
  }
  const current = await recheck(gap, options.bucket, deps.s3);
  if (current === undefined) return { started: false, reason: 'closed since it was listed' };
  const now = (options.now ?? (() => new Date()))();
  let name = '';
  for (let attempt = 1; attempt <= MAX_REPAIR_ATTEMPTS; attempt += 1) {
    const event = repairEvent(current, options.bucket, now, attempt, versioned);
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
    // That repair ended and the gap is still there: the next attempt gets a new sequencer (or time), so a new name.
  }
  return {
    started: false,
    gaveUp: true,
    executionName: name,
    reason: `${MAX_REPAIR_ATTEMPTS} earlier repairs ended without closing the gap; see their execution histories (last: ${name})`,
  };
}

/**
 * The state machine to repair with, when none is named: the only one the
 * endpoint has (the local runtime has one). Undefined with the reason when
 * there are none or several.
 */
export async function findStateMachine(
  sfn: SFNClient,
): Promise<{ arn: string; reason?: undefined } | { arn?: undefined; reason: string }> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const machine of page.stateMachines ?? []) {
      if (machine.stateMachineArn !== undefined) found.push(machine.stateMachineArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const [only] = found;
  if (found.length === 1 && only !== undefined) return { arn: only };
  return {
    reason:
      found.length === 0
        ? 'the endpoint has no state machine'
        : `the endpoint has ${found.length} state machines (${found.join(', ')})`,
  };
}

/** Compares a bucket (under a prefix) with the table; reports and optionally repairs every gap. */
export async function reconcile(options: ReconcileOptions, deps: ReconcileDeps): Promise<ReconcileSummary> {
  const prefix = options.prefix ?? '';
  const versioned = await isVersioned(deps.s3, options.bucket);
  const summary: ReconcileSummary = {
    versioned,
    objects: 0,
    items: 0,
    missing: 0,
    mismatch: 0,
    orphan: 0,
    tags: 0,
    started: 0,
    skipped: 0,
    gaveUp: 0,
  };
  const objects = versioned
    ? listCurrentVersions(deps.s3, options.bucket, prefix)
    : listObjects(deps.s3, options.bucket, prefix);
  const items = listItems(deps.dynamo, options.tableName, options.bucket, prefix, options.tags === true);

  for await (const pair of mergeByKey(objects, items)) {
    if (pair.object !== undefined) summary.objects += 1;
    if (pair.item !== undefined) summary.items += 1;
    let gap = classify(pair);
    if (gap === undefined && options.tags && pair.object !== undefined && pair.item !== undefined) {
      const tags = await readTags(deps.s3, options.bucket, pair.object);
      if (!sameTags(tags, pair.item.tags ?? {}))
        gap = { kind: 'tags', key: pair.key, object: pair.object, item: pair.item, tags };
    }
    if (gap === undefined) continue;
    summary[gap.kind] += 1;
    options.onGap?.(gap);
    if (!options.fix) continue;
    const result = await fix(gap, options, deps, versioned);
    if (result.started) summary.started += 1;
    else if (result.gaveUp) summary.gaveUp += 1;
    else summary.skipped += 1;
    options.onFix?.(gap, result);
  }
  return summary;
}
