import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { objectEventSchema } from '../../../functions/core/object-event';
import { padSequencer } from '../../../functions/core/sequencer';
import {
  compareKeys,
  findStateMachine,
  type Gap,
  type ListedObject,
  mergeByKey,
  type RecordedItem,
  reconcile,
  repairEvent,
  repairEventTime,
  repairSequencer,
} from '../../../tools/reconcile/reconcile';

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline';
const LAST_MODIFIED = new Date('2026-11-25T10:00:00.000Z');
const deps = () => ({
  s3: new S3Client({}),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  sfn: new SFNClient({}),
});

type Obj = { key: string; eTag?: string; size?: number };
type Item = {
  key: string;
  eTag?: string;
  size?: number;
  status?: string;
  sequencer?: string;
  versionId?: string;
  isDeleteMarker?: boolean;
  tags?: Record<string, string>;
  uploadTime?: string;
  metadataEventTime?: string;
};
/** One entry of a versioned listing: a version (with its ETag) or a delete marker. */
type Version = { key: string; versionId: string; latest: boolean; marker?: boolean; eTag?: string };

/** The table queried in pages of two, as DynamoDB returns a partition: by ObjectKey's UTF-8 bytes. */
function givenItems(items: Item[]) {
  dynamo.on(QueryCommand).callsFake(async (input: { ExclusiveStartKey?: { n: number } }) => {
    const start = input.ExclusiveStartKey?.n ?? 0;
    const page = items.slice(start, start + 2);
    return {
      Items: page.map((i) => ({
        ObjectKey: i.key,
        ETag: i.eTag ?? 'e',
        FileSize: i.size ?? 1,
        Status: i.status ?? 'present',
        Sequencer: padSequencer(i.sequencer ?? '10'),
        UploadTime: i.uploadTime ?? '2026-11-25T10:00:00.000Z',
        ...(i.versionId !== undefined ? { VersionId: i.versionId } : {}),
        ...(i.isDeleteMarker !== undefined ? { IsDeleteMarker: i.isDeleteMarker } : {}),
        ...(i.tags !== undefined ? { Tags: i.tags } : {}),
        ...(i.metadataEventTime !== undefined ? { MetadataEventTime: i.metadataEventTime } : {}),
      })),
      ...(start + 2 < items.length ? { LastEvaluatedKey: { n: start + 2 } } : {}),
    };
  });
}

/** An unversioned bucket listed in pages of two, and its table. */
function given(objects: Obj[], items: Item[]) {
  s3.on(ListObjectsV2Command).callsFake(async (input: { ContinuationToken?: string }) => {
    const start = Number(input.ContinuationToken ?? 0);
    const page = objects.slice(start, start + 2);
    return {
      Contents: page.map((o) => ({
        Key: o.key,
        ETag: `"${o.eTag ?? 'e'}"`,
        Size: o.size ?? 1,
        LastModified: LAST_MODIFIED,
      })),
      IsTruncated: start + 2 < objects.length,
      NextContinuationToken: String(start + 2),
    };
  });
  givenItems(items);
}

/**
 * A versioned bucket listed with ListObjectVersions in pages of three entries, versions
 * and delete markers in separate lists as S3 returns them, paged by key and version markers.
 */
function givenVersions(entries: Version[], items: Item[]) {
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  s3.on(ListObjectVersionsCommand).callsFake(
    async (input: { KeyMarker?: string; VersionIdMarker?: string }) => {
      const start =
        input.KeyMarker === undefined
          ? 0
          : entries.findIndex((e) => e.key === input.KeyMarker && e.versionId === input.VersionIdMarker) + 1;
      const page = entries.slice(start, start + 3);
      const last = page.at(-1);
      const truncated = start + 3 < entries.length;
      return {
        Versions: page
          .filter((e) => !e.marker)
          .map((e) => ({
            Key: e.key,
            VersionId: e.versionId,
            IsLatest: e.latest,
            ETag: `"${e.eTag ?? 'e'}"`,
            Size: 1,
            LastModified: LAST_MODIFIED,
          })),
        DeleteMarkers: page
          .filter((e) => e.marker)
          .map((e) => ({ Key: e.key, VersionId: e.versionId, IsLatest: e.latest })),
        IsTruncated: truncated,
        ...(truncated && last ? { NextKeyMarker: last.key, NextVersionIdMarker: last.versionId } : {}),
      };
    },
  );
  givenItems(items);
}

/** Runs reconcile; `fixes` says, per repair, "started" or why it was not. */
async function run(options: { fix?: boolean; tags?: boolean } = {}) {
  const gaps: Gap[] = [];
  const fixes: string[] = [];
  const summary = await reconcile(
    {
      bucket: 'uploads',
      tableName: 'S3FileMetadata',
      fix: options.fix ?? false,
      tags: options.tags ?? false,
      stateMachineArn: STATE_MACHINE,
      now: () => new Date('2026-11-26T12:00:00.000Z'),
      onGap: (gap) => gaps.push(gap),
      onFix: (_gap, result) => fixes.push(result.started ? 'started' : result.reason),
    },
    deps(),
  );
  return { summary, gaps: gaps.map((gap) => `${gap.kind} ${gap.key}`), fixes };
}

/** The workflow inputs StartExecution was given, in order. */
const startedInputs = () =>
  sfn.commandCalls(StartExecutionCommand).map((call) => JSON.parse(call.args[0].input.input ?? '{}'));

beforeEach(() => {
  s3.reset();
  dynamo.reset();
  sfn.reset();
  // A bucket whose versioning was never enabled: GetBucketVersioning answers with no Status.
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ ETag: '"e"', ContentLength: 1 });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
});

describe('reconcile: comparing', () => {
  it('finds nothing when every object has its item, across pages', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    given(
      keys.map((key) => ({ key })),
      keys.map((key) => ({ key })),
    );
    expect(await run()).toEqual({
      summary: expect.objectContaining({ objects: 5, items: 5, missing: 0, mismatch: 0, orphan: 0 }),
      gaps: [],
      fixes: [],
    });
  });

  it('reports objects with no item, items with another ETag or size, and items of objects that are gone', async () => {
    given(
      [{ key: 'a' }, { key: 'b', eTag: 'new' }, { key: 'c', size: 9 }, { key: 'e' }],
      [{ key: 'b', eTag: 'old' }, { key: 'c', size: 1 }, { key: 'd' }, { key: 'e' }],
    );
    expect((await run()).gaps).toEqual(['missing a', 'mismatch b', 'mismatch c', 'orphan d']);
  });

  it('counts an object whose item says deleted as missing, and a tombstone without object as fine', async () => {
    given(
      [{ key: 'back' }],
      [
        { key: 'back', status: 'deleted' },
        { key: 'gone', status: 'deleted' },
      ],
    );
    expect((await run()).gaps).toEqual(['missing back']);
  });

  it('starts nothing without --fix', async () => {
    given([{ key: 'a' }], []);
    await run();
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('reconcile: key order', () => {
  // S3 lists keys in UTF-8 binary order
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ListingKeysUsingAPIs.html) and DynamoDB
  // stores a partition's string sort keys "in order of UTF-8 bytes"
  // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html, ScanIndexForward).
  // JavaScript compares UTF-16 code units: U+1F600 is the surrogate pair D83D DE00, before U+FF01,
  // while in UTF-8 (F0 9F 98 80 against EF BC 81) it comes after.
  const KEYS = ['\u{1F600}', '\uFF01', 'B', 'a'];
  const BYTE_ORDER = ['B', 'a', '\uFF01', '\u{1F600}'];
  const utf16 = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  async function* listing<T>(entries: T[]): AsyncGenerator<T> {
    yield* entries;
  }

  it('sorts keys by their UTF-8 bytes, which is not JavaScript order', () => {
    expect([...KEYS].sort(compareKeys)).toEqual(BYTE_ORDER);
    expect([...KEYS].sort()).toEqual(['B', 'a', '\u{1F600}', '\uFF01']);
  });

  // The object \uFF01 was deleted and its item is a tombstone: nothing is wrong.
  const OBJECTS = BYTE_ORDER.filter((key) => key !== '\uFF01');
  const ITEMS: Item[] = BYTE_ORDER.map((key) => (key === '\uFF01' ? { key, status: 'deleted' } : { key }));

  it('finds nothing missing or orphaned when S3 pages and DynamoDB pages come in byte order (ListObjectsV2, Query)', async () => {
    given(
      OBJECTS.map((key) => ({ key })),
      ITEMS,
    );
    const { summary, gaps } = await run();
    expect(gaps).toEqual([]);
    expect(summary).toMatchObject({ objects: 3, items: 4, missing: 0, orphan: 0, mismatch: 0 });
  });

  it('would have reported the same listings as missing and orphaned with a UTF-16 comparison', async () => {
    const objects: ListedObject[] = OBJECTS.map((key) => ({ key, eTag: 'e', size: 1 }));
    const items: RecordedItem[] = ITEMS.map((i) => ({
      key: i.key,
      status: i.status ?? 'present',
      sequencer: '1',
    }));
    const gapsWith = async (compare: (a: string, b: string) => number) => {
      const out: string[] = [];
      for await (const pair of mergeByKey(listing(objects), listing(items), compare)) {
        if (pair.object === undefined && pair.item.status !== 'deleted') out.push(`orphan ${pair.key}`);
        else if (pair.item === undefined) out.push(`missing ${pair.key}`);
      }
      return out;
    };
    expect(await gapsWith(compareKeys)).toEqual([]);
    expect(await gapsWith(utf16)).toEqual(['missing \u{1F600}', 'orphan \u{1F600}']);
  });

  it('reports the one key missing among them, and only that one', async () => {
    given(
      BYTE_ORDER.map((key) => ({ key })),
      BYTE_ORDER.filter((key) => key !== '\uFF01').map((key) => ({ key })),
    );
    expect((await run()).gaps).toEqual(['missing \uFF01']);
  });
});

describe('reconcile: versioned buckets (current versions)', () => {
  // ListObjectVersions: keys in order, each key's versions newest first, IsLatest on the current one;
  // a key whose latest entry is a delete marker has no current version
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
  const entries: Version[] = [
    { key: 'current', versionId: 'v2', latest: true },
    { key: 'current', versionId: 'v1', latest: false, eTag: 'old' },
    { key: 'marked', versionId: 'm1', latest: true, marker: true },
    { key: 'marked', versionId: 'v1', latest: false },
    { key: 'null-version', versionId: 'null', latest: true },
    { key: 'overwritten', versionId: 'v3', latest: true },
    { key: 'overwritten', versionId: 'v2', latest: false },
    { key: 'stale-marker', versionId: 'm2', latest: true, marker: true },
  ];

  it('lists current versions with ListObjectVersions across pages, and compares version ids', async () => {
    givenVersions(entries, [
      { key: 'current', versionId: 'v2' },
      { key: 'marked', status: 'deleted', isDeleteMarker: true, versionId: 'v1' },
      { key: 'null-version' }, // written while versioning was off: no VersionId attribute
      { key: 'overwritten', versionId: 'v2' }, // same ETag and size, but a newer version is current
      { key: 'stale-marker', versionId: 'v1' }, // a delete marker is current, the item says present
    ]);
    const { summary, gaps } = await run();
    expect(gaps).toEqual(['mismatch overwritten', 'orphan stale-marker']);
    expect(summary).toMatchObject({ versioned: true, objects: 3, items: 5 });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(s3.commandCalls(ListObjectVersionsCommand).length).toBeGreaterThan(1);
  });

  it('repairs a stale version with the current one and an orphan through a lookup of what is current', async () => {
    givenVersions(entries, [
      { key: 'current', versionId: 'v2' },
      { key: 'null-version' },
      { key: 'overwritten', versionId: 'v2', sequencer: 'A0' },
      { key: 'stale-marker', versionId: 'v1', sequencer: 'B0' },
    ]);
    s3.on(HeadObjectCommand, { Key: 'overwritten' }).resolves({
      ETag: '"e"',
      ContentLength: 1,
      VersionId: 'v3',
    });
    // A delete marker is current: HeadObject without a version id answers 404.
    s3.on(HeadObjectCommand, { Key: 'stale-marker' }).rejects(
      Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
    );
    const { summary } = await run({ fix: true });
    expect(summary).toMatchObject({ started: 2, gaveUp: 0 });
    const [created, removed] = startedInputs();
    expect(created.object).toMatchObject({
      key: 'overwritten',
      eventName: 'ObjectCreated:Reconcile',
      eventType: 'created',
      versionId: 'v3',
      sequencer: 'A1',
    });
    // A removal with a version id goes to DescribeCurrent, which records the marker as the current state.
    expect(removed.object).toMatchObject({
      key: 'stale-marker',
      eventName: 'ObjectRemoved:Reconcile',
      eventType: 'removed',
      versionId: 'v1',
      sequencer: 'B1',
    });
  });
});

describe('reconcile: tags', () => {
  it('reads no tags unless asked', async () => {
    given([{ key: 'a' }], [{ key: 'a', tags: { team: 'red' } }]);
    expect((await run()).gaps).toEqual([]);
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
  });

  it('with --tags, reads each matching object tags once (GetObjectTagging) and reports those that differ', async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html: the TagSet of the (current) version.
    given(
      [{ key: 'a' }, { key: 'b' }, { key: 'c' }, { key: 'missing' }],
      [{ key: 'a', tags: { team: 'red' } }, { key: 'b' }, { key: 'c', tags: { team: 'red' } }],
    );
    s3.on(GetObjectTaggingCommand, { Key: 'a' }).resolves({ TagSet: [{ Key: 'team', Value: 'red' }] });
    s3.on(GetObjectTaggingCommand, { Key: 'b' }).resolves({ TagSet: [] });
    s3.on(GetObjectTaggingCommand, { Key: 'c' }).resolves({ TagSet: [{ Key: 'team', Value: 'blue' }] });
    const { gaps, summary } = await run({ tags: true });
    expect(gaps).toEqual(['tags c', 'missing missing']);
    expect(summary).toMatchObject({ tags: 1, missing: 1 });
    expect(s3.commandCalls(GetObjectTaggingCommand).map((call) => call.args[0].input.Key)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('repairs a tag gap with an ObjectTagging:Put event just after the item times, the same on a second run', async () => {
    const item = {
      key: 'c',
      tags: { team: 'red' },
      uploadTime: '2026-11-25T10:00:00.000Z',
      metadataEventTime: '2026-11-25T11:00:00.000Z',
    };
    given([{ key: 'c' }], [item]);
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'blue' }] });
    expect((await run({ tags: true, fix: true })).summary).toMatchObject({ tags: 1, started: 1 });
    const [first] = startedInputs();
    expect(first.object).toEqual({
      bucket: 'uploads',
      key: 'c',
      requester: 'reconcile',
      eventName: 'ObjectTagging:Put',
      eventType: 'updated',
      eventTime: '2026-11-25T11:00:00.001Z',
    });

    // The item unchanged (the repair still running): the same execution name, nothing new started.
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: { httpStatusCode: 400 } }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const again = await run({ tags: true, fix: true });
    expect(again.fixes).toEqual(['a repair is already running']);
    expect(startedInputs()).toEqual([first]);
  });

  it('turns a tag gap into a mismatch when the object changed since the listing', async () => {
    given([{ key: 'c' }], [{ key: 'c', tags: {} }]);
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'k', Value: 'v' }] });
    s3.on(HeadObjectCommand).resolves({ ETag: '"newer"', ContentLength: 5 });
    await run({ tags: true, fix: true });
    expect(startedInputs()[0]?.object).toMatchObject({ eventName: 'ObjectCreated:Reconcile', eTag: 'newer' });
  });
});

describe('reconcile: fixing', () => {
  it('starts the workflow for a missing object with the object as it is now, sequencer one above the item', async () => {
    given([{ key: 'a', eTag: 'listed' }], [{ key: 'a', status: 'deleted', sequencer: 'FF' }]);
    s3.on(HeadObjectCommand).resolves({ ETag: '"current"', ContentLength: 42 });
    const { summary } = await run({ fix: true });
    expect(summary.started).toBe(1);
    expect(startedInputs()[0].object).toMatchObject({
      bucket: 'uploads',
      key: 'a',
      eventName: 'ObjectCreated:Reconcile',
      eventType: 'created',
      sequencer: '100',
      eTag: 'current',
      size: 42,
    });
    expect(startedInputs()[0].object).not.toHaveProperty('versionId');
  });

  it('tombstones an orphan only once HeadObject confirms the object is gone', async () => {
    given([], [{ key: 'gone', sequencer: '1A' }, { key: 'back' }]);
    s3.on(HeadObjectCommand, { Key: 'gone' }).rejects(
      Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
    );
    s3.on(HeadObjectCommand, { Key: 'back' }).resolves({ ETag: '"e"', ContentLength: 1 });
    const { summary } = await run({ fix: true });
    expect(summary).toMatchObject({ orphan: 2, started: 1, skipped: 1 });
    expect(startedInputs()[0].object).toMatchObject({
      key: 'gone',
      eventName: 'ObjectRemoved:Reconcile',
      eventType: 'removed',
      sequencer: '1B',
    });
  });

  it('does not start a second repair while one is running', async () => {
    given([{ key: 'a' }], []);
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: { httpStatusCode: 400 } }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const { fixes } = await run({ fix: true });
    expect(fixes).toEqual(['a repair is already running']);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('tries again with a new sequencer when an earlier repair ended without closing the gap, then gives up', async () => {
    given([{ key: 'a' }], []);
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: { httpStatusCode: 400 } }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const { fixes, summary } = await run({ fix: true });
    expect(startedInputs().map((input) => input.object.sequencer)).toEqual(['1', '2', '3']);
    expect(fixes[0]).toMatch(/^3 earlier repairs ended without closing the gap/);
    // Counted apart from the gaps left alone, so that `npm run reconcile -- --fix` exits 1 for it.
    expect(summary).toMatchObject({ started: 0, skipped: 0, gaveUp: 1 });
  });
});

describe('repair events', () => {
  const object: ListedObject = {
    key: 'dir/a.txt',
    eTag: 'e',
    size: 1,
    lastModified: LAST_MODIFIED,
    versionId: 'v9',
  };
  const item: RecordedItem = {
    key: 'dir/a.txt',
    status: 'present',
    sequencer: padSequencer('1F'),
    versionId: 'v1',
    uploadTime: '2026-11-25T10:00:00.000Z',
  };
  const gaps: Gap[] = [
    { kind: 'missing', key: object.key, object },
    { kind: 'mismatch', key: object.key, object, item },
    { kind: 'orphan', key: object.key, item },
    { kind: 'tags', key: object.key, object, item, tags: { a: 'b' } },
  ];

  it.each(gaps.flatMap((gap) => [true, false].map((versioned) => [gap.kind, versioned, gap] as const)))(
    'the %s repair (versioned: %s) is a valid workflow input, its time a valid one',
    (_kind, versioned, gap) => {
      const event = repairEvent(gap, 'uploads', new Date('2026-11-26T12:00:00.000Z'), 1, versioned);
      expect(objectEventSchema.parse(event)).toEqual(event);
      expect(new Date(event.eventTime).toISOString()).toBe(event.eventTime);
    },
  );
});

describe('repairSequencer', () => {
  it('counts on from the stored sequencer, whatever its padding', () => {
    expect(
      repairSequencer({ key: 'k', status: 'present', sequencer: padSequencer('0055AED6DCD90281E5') }),
    ).toBe('55AED6DCD90281E6');
    expect(repairSequencer(undefined)).toBe('1');
    expect(repairSequencer({ key: 'k', status: 'present', sequencer: 'FF' }, 2)).toBe('101');
  });
});

describe('repairEventTime', () => {
  const item = (uploadTime?: string, metadataEventTime?: string): RecordedItem => ({
    key: 'k',
    status: 'present',
    sequencer: '1',
    ...(uploadTime ? { uploadTime } : {}),
    ...(metadataEventTime ? { metadataEventTime } : {}),
  });

  it('is `attempt` milliseconds after the later of the upload and the last metadata event', () => {
    expect(repairEventTime(item('2026-11-25T10:00:00.000Z'))).toBe('2026-11-25T10:00:00.001Z');
    expect(repairEventTime(item('2026-11-25T10:00:00.000Z', '2026-11-25T12:00:00.999Z'), 2)).toBe(
      '2026-11-25T12:00:01.001Z',
    );
  });

  it('sorts after a stored time written without milliseconds, as the guard compares strings', () => {
    const time = repairEventTime(item('2026-11-25T10:00:00Z'));
    expect(time > '2026-11-25T10:00:00Z').toBe(true);
    expect(time).toBe('2026-11-25T10:00:01.001Z');
  });
});

describe('findStateMachine', () => {
  it('finds the only state machine, across pages', async () => {
    sfn
      .on(ListStateMachinesCommand)
      .resolvesOnce({ stateMachines: [], nextToken: 't' })
      .resolves({
        stateMachines: [
          {
            stateMachineArn: STATE_MACHINE,
            name: 'metadata-pipeline',
            type: 'STANDARD',
            creationDate: new Date(),
          },
        ],
      });
    expect(await findStateMachine(new SFNClient({}))).toEqual({ arn: STATE_MACHINE });
  });

  it('says how many there are when there is not exactly one', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    expect(await findStateMachine(new SFNClient({}))).toEqual({
      reason: 'the endpoint has no state machine',
    });
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: ['a', 'b'].map((name) => ({
        stateMachineArn: `${STATE_MACHINE}-${name}`,
        name,
        type: 'STANDARD' as const,
        creationDate: new Date(),
      })),
    });
    expect((await findStateMachine(new SFNClient({}))).reason).toMatch(
      /^the endpoint has 2 state machines \(.*-a, .*-b\)$/,
    );
  });
});
