import { gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { harness, permutations } from './support/harness';

/**
 * Versioned buckets: whatever order S3's events arrive in, the item ends up
 * describing the key's current state as S3 holds it
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManagingDelMarkers.html).
 * The staging bucket's events are captured, then delivered one at a time in
 * each order, each execution settled before the next event is delivered.
 */
let runtime: RuntimeProcess;
let h: Awaited<ReturnType<typeof harness>>;
const unquote = (eTag: string | undefined) => (eTag ?? '').replace(/"/g, '');

beforeAll(async () => {
  runtime = await startRuntimeProcess([
    '--bucket',
    'uploads',
    '--bucket',
    'staging',
    '--visibility-timeout',
    '1',
    '--retry-scale',
    '0.1',
  ]);
  h = await harness(runtime, 'versioned');
  await h.clients.s3.send(
    new PutBucketVersioningCommand({ Bucket: 'staging', VersioningConfiguration: { Status: 'Enabled' } }),
  );
});

afterAll(async () => {
  if (runtime) expect(await runtime.stop()).toBe(0);
});

/** Delivers the captured events in the given order, one at a time, each execution settled first. */
async function deliverInOrder(events: string[], order: readonly number[]): Promise<void> {
  for (const position of order) {
    const event = events[position] ?? '';
    await h.deliver([event]);
    await h.settled(h.executionArnOf(event));
  }
}

const put = async (key: string, body: string) =>
  h.clients.s3.send(new PutObjectCommand({ Bucket: 'staging', Key: key, Body: body }));
const orders = (count: number) =>
  permutations(Array.from({ length: count }, (_, index) => index)).map(
    (order, index) => [order.join(','), order, index] as const,
  );

describe('versioned bucket, every arrival order', () => {
  it.each(orders(3))(
    'a noncurrent version deleted for good leaves the current one recorded (%s)',
    async (_label, order, index) => {
      const key = `versions/noncurrent-${index}.txt`;
      const first = await put(key, 'one');
      const second = await put(key, 'two!');
      await h.clients.s3.send(
        new DeleteObjectCommand({ Bucket: 'staging', Key: key, VersionId: first.VersionId }),
      );
      await deliverInOrder(await h.captureEvents(3), order);
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'present',
        VersionId: second.VersionId,
        ETag: unquote(second.ETag),
      });
    },
  );

  it.each(orders(3))(
    'the current version deleted for good leaves the previous one recorded, present again (%s)',
    async (_label, order, index) => {
      const key = `versions/current-${index}.txt`;
      const first = await put(key, 'one');
      const second = await put(key, 'two!');
      await h.clients.s3.send(
        new DeleteObjectCommand({ Bucket: 'staging', Key: key, VersionId: second.VersionId }),
      );
      await deliverInOrder(await h.captureEvents(3), order);
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'present',
        VersionId: first.VersionId,
        ETag: unquote(first.ETag),
        FileSize: 3,
      });
    },
  );

  it.each(orders(2))(
    'a delete marker makes the item a tombstone naming the marker (%s)',
    async (_label, order, index) => {
      const key = `versions/marker-${index}.txt`;
      await put(key, 'one');
      const marker = await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key }));
      expect(marker.DeleteMarker).toBe(true);
      await deliverInOrder(await h.captureEvents(2), order);
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'deleted',
        IsDeleteMarker: true,
        DeletedVersionId: marker.VersionId,
      });
    },
  );

  it.each(orders(3))(
    'removing the delete marker brings the object back (%s)',
    async (_label, order, index) => {
      const key = `versions/unmarked-${index}.txt`;
      const first = await put(key, 'one');
      const marker = await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key }));
      await h.clients.s3.send(
        new DeleteObjectCommand({ Bucket: 'staging', Key: key, VersionId: marker.VersionId }),
      );
      await deliverInOrder(await h.captureEvents(3), order);
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'present',
        VersionId: first.VersionId,
        IsDeleteMarker: false,
      });
    },
  );

  it.each(orders(2))(
    'tags put later reach the item, in either order with the creation (%s)',
    async (_label, order, index) => {
      const key = `versions/tagged-${index}.txt`;
      const created = await put(key, 'one');
      await h.clients.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'staging',
          Key: key,
          VersionId: created.VersionId,
          Tagging: { TagSet: [{ Key: 'project', Value: 'q4' }] },
        }),
      );
      await deliverInOrder(await h.captureEvents(2), order);
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'present',
        Tags: { project: 'q4' },
      });
    },
  );
});

describe('the null version (written before versioning was enabled)', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectsfromVersioningSuspendedBuckets.html
  it('deleting the null version for good leaves the newer version recorded, not a tombstone', async () => {
    await h.clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'staging', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    const key = 'versions/null-first.txt';
    await put(key, 'null version');
    await h.clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'staging', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const newer = await put(key, 'the newer version');
    await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key, VersionId: 'null' }));
    await deliverInOrder(await h.captureEvents(3), [0, 1, 2]);
    expect(await h.clients.item(key, 'staging')).toMatchObject({
      Status: 'present',
      VersionId: newer.VersionId,
      ETag: unquote(newer.ETag),
    });
  });
});

describe('a noncurrent version deleted for good', () => {
  it('changes nothing the item describes, and notifies nobody', async () => {
    const key = 'versions/noncurrent-quiet.txt';
    const first = await put(key, 'one');
    await put(key, 'two!');
    const [created1 = '', created2 = ''] = await h.captureEvents(2);
    await deliverInOrder([created1, created2], [0, 1]);
    const before = await h.clients.item(key, 'staging');
    await h.clients.s3.send(
      new DeleteObjectCommand({ Bucket: 'staging', Key: key, VersionId: first.VersionId }),
    );
    const [removal = ''] = await h.captureEvents(1);
    await deliverInOrder([removal], [0]);
    const { outcome } = await h.settled(h.executionArnOf(removal));
    expect(outcome).toBe('superseded');
    // Only the guard moves on (so an older event arriving later cannot undo what this one confirmed).
    const after = await h.clients.item(key, 'staging');
    const { Sequencer: _s, ExecutionArn: _e, ProcessedAt: _p, ...described } = after ?? {};
    const { Sequencer: _s0, ExecutionArn: _e0, ProcessedAt: _p0, ...describedBefore } = before ?? {};
    expect(described).toEqual(describedBefore);
    expect(String(after?.Sequencer) > String(before?.Sequencer)).toBe(true);
    expect((await h.notificationsFor(key)).map((delivered) => delivered.document.type)).toEqual([
      'object.created',
      'object.created',
    ]);
  });
});

describe('versioning suspended', () => {
  it('a delete writes a delete marker with version "null": the item is a tombstone', async () => {
    await h.clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'staging', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    try {
      const key = 'versions/suspended.txt';
      await put(key, 'one');
      await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key }));
      await deliverInOrder(await h.captureEvents(2), [0, 1]);
      expect(await h.clients.item(key, 'staging')).toMatchObject({ Status: 'deleted', IsDeleteMarker: true });
    } finally {
      await h.clients.s3.send(
        new PutBucketVersioningCommand({ Bucket: 'staging', VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
  });
});

describe('metadata events', () => {
  it('a Lifecycle transition refreshes the storage class, reading no content', async () => {
    const key = 'lifecycle/report.csv';
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'a,b\n', StorageClass: 'GLACIER_IR' }),
    );
    const [created = ''] = await h.captureEvents(1);
    await deliverInOrder([created], [0]);
    // What S3 sends for a transition (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configure-notification.html):
    // event structure 2.3, no sequencer, the destination storage class in lifecycleEventData.
    const record = JSON.parse(created).Records[0];
    const transition = JSON.stringify({
      Records: [
        {
          ...record,
          eventVersion: '2.3',
          eventName: 'LifecycleTransition',
          eventTime: new Date(Date.now() + 1000).toISOString(),
          userIdentity: { principalId: 's3.amazonaws.com' },
          s3: { ...record.s3, object: { key: record.s3.object.key, versionId: record.s3.object.versionId } },
          lifecycleEventData: { transitionEventData: { destinationStorageClass: 'GLACIER_IR' } },
        },
      ],
    });
    await deliverInOrder([transition], [0]);
    const { events } = await h.settled(h.executionArnOf(transition));
    const entered = events.flatMap((event) =>
      event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
    );
    expect(entered).toEqual([
      'RouteEvent',
      'DescribeMetadata',
      'WriteMetadataUpdate',
      'WasWritten',
      'Notify',
    ]);
    expect(await h.clients.item(key, 'staging')).toMatchObject({
      StorageClass: 'GLACIER_IR',
      RecordType: 'UPDATE_METADATA',
      EventName: 'LifecycleTransition',
      Requester: 's3.amazonaws.com',
    });
  });

  it('a gzip-encoded JSON object declared as such is JSON, not a mismatch', async () => {
    const key = 'encoded/readings.json';
    const body = gzipSync(JSON.stringify({ readings: [1, 2, 3] }));
    await h.clients.s3.send(
      new PutObjectCommand({
        Bucket: 'staging',
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ContentEncoding: 'gzip',
      }),
    );
    await deliverInOrder(await h.captureEvents(1), [0]);
    expect(await h.clients.item(key, 'staging')).toMatchObject({
      ContentEncoding: 'gzip',
      DetectedContentEncoding: 'gzip',
      DetectedContentType: 'application/json',
      ContentTypeMismatch: false,
    });
  });
});
