import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { noExecutionRunning, queueEmpty } from '../support/settle';
import { subscribe } from '../support/subscriber';
import { STATE_MACHINE_ARN } from './support/harness';

/**
 * Throttling and 5xx on every service the pipeline calls (S3, DynamoDB, SNS,
 * Step Functions), seeded so a run is repeatable. At these rates a step
 * exhausts its retries with a probability below one in a million (see
 * docs/operations.md), so every object must be recorded, exactly once.
 */
const FAULTS = 'throttle=0.1,transient=0.05';
let runtime: RuntimeProcess;
let clients: ReturnType<typeof clientsFor>;
let subscriber: Awaited<ReturnType<typeof subscribe>>;
const CONTENT_TYPES = ['text/plain', 'application/json', 'text/csv', 'application/octet-stream'];

beforeAll(async () => {
  runtime = await startRuntimeProcess([
    '--faults',
    FAULTS,
    '--faults-seed',
    '42',
    '--retry-scale',
    '0.1',
    '--visibility-timeout',
    '2',
    '--quiet',
  ]);
  clients = clientsFor(runtime.endpoint);
  subscriber = await subscribe(clients, 'faults-subscriber');
});

afterAll(async () => {
  if (runtime) expect(await runtime.stop()).toBe(0);
});

/** Uploads `count` objects under a prefix from `writers` concurrent clients; returns what S3 answered. */
async function upload(prefix: string, count: number, writers: number) {
  const written = new Map<string, { eTag: string; size: number; contentType: string }>();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const key = `${prefix}/${String(index).padStart(5, '0')} object.bin`;
        const body = Buffer.from(`object ${index} `.repeat((index % 40) + 1));
        const contentType = CONTENT_TYPES[index % CONTENT_TYPES.length] ?? 'text/plain';
        const put = await clients.s3.send(
          new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: body, ContentType: contentType }),
        );
        written.set(key, { eTag: (put.ETag ?? '').replace(/"/g, ''), size: body.length, contentType });
      }
    }),
  );
  return written;
}

async function itemsUnder(prefix: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.dynamo.send(
      new QueryCommand({
        TableName: 'S3FileMetadata',
        KeyConditionExpression: 'BucketName = :b AND begins_with(ObjectKey, :p)',
        ExpressionAttributeValues: { ':b': 'uploads', ':p': `${prefix}/` },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function deadLetters(): Promise<number> {
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: `${runtime.endpoint}/000000000000/s3-metadata-ingest-dlq`,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Waits until every written object has its item (same ETag), then returns the items. */
async function recorded(prefix: string, written: Map<string, { eTag: string }>, timeoutMs: number) {
  return eventually(
    async () => {
      const items = await itemsUnder(prefix);
      const matching = items.filter((item) => written.get(String(item.ObjectKey))?.eTag === item.ETag);
      return matching.length === written.size ? items : undefined;
    },
    timeoutMs,
    `${written.size} items under ${prefix}/`,
  );
}

async function notificationsUnder(prefix: string, expected: number, timeoutMs: number) {
  const mine = () =>
    subscriber.delivered.filter((delivered) => delivered.document.key.startsWith(`${prefix}/`));
  await eventually(
    async () => {
      await subscriber.drain();
      return mine().length >= expected ? true : undefined;
    },
    timeoutMs,
    `${expected} notifications`,
  );
  // And no more after them: once every event has its execution and none is running, all are published.
  await queueEmpty(clients.sqs, `${runtime.endpoint}/000000000000/s3-metadata-ingest`, timeoutMs);
  await noExecutionRunning(clients.sfn, STATE_MACHINE_ARN, { timeoutMs });
  await subscriber.drain();
  return mine();
}

describe('transient faults on every service', () => {
  it('records 200 uploads exactly once each, notifies each once, shows the retries in the histories, dead-letters nothing', async () => {
    const written = await upload('faults', 200, 4);
    const items = await recorded('faults', written, 120_000);
    expect(items).toHaveLength(200);
    const notifications = await notificationsUnder('faults', 200, 60_000);
    expect(notifications).toHaveLength(200);
    expect(new Set(notifications.map((n) => n.document.key)).size).toBe(200);

    const executions =
      (
        await clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000 }),
        )
      ).executions ?? [];
    expect(executions.filter((execution) => execution.status !== 'SUCCEEDED')).toEqual([]);
    let retries = 0;
    for (const item of items) {
      const { events = [] } = await clients.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: String(item.ExecutionArn), maxResults: 1000 }),
      );
      retries += events.filter((event) => event.type === 'TaskFailed').length;
    }
    expect(retries).toBeGreaterThan(20); // at 15% per call, over ~1,000 calls
    expect(await deadLetters()).toBe(0);
  });
});

describe('burst', () => {
  it('records 2,000 uploads from 8 concurrent clients, each item matching HeadObject, with no duplicate notification', async () => {
    const started = Date.now();
    const written = await upload('burst', 2000, 8);
    const uploadedIn = Date.now() - started;
    const items = await recorded('burst', written, 300_000);
    const recordedIn = Date.now() - started;
    process.stdout.write(
      `burst: 2,000 uploads from 8 clients with faults ${FAULTS}: uploaded in ${(uploadedIn / 1000).toFixed(1)} s, all recorded after ${(recordedIn / 1000).toFixed(1)} s\n`,
    );
    expect(items).toHaveLength(2000);
    for (const item of items) {
      const head = await clients.s3.send(
        new HeadObjectCommand({ Bucket: 'uploads', Key: String(item.ObjectKey) }),
      );
      expect({
        key: item.ObjectKey,
        size: item.FileSize,
        eTag: item.ETag,
        contentType: item.ContentType,
      }).toEqual({
        key: item.ObjectKey,
        size: head.ContentLength,
        eTag: (head.ETag ?? '').replace(/"/g, ''),
        contentType: head.ContentType,
      });
    }
    const notifications = await notificationsUnder('burst', 2000, 120_000);
    expect(notifications).toHaveLength(2000);
    expect(new Set(notifications.map((n) => n.document.id)).size).toBe(2000);
    expect(await deadLetters()).toBe(0);
  });
});
