import {
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { executionName } from '../functions/core/execution-name';
import { DEFAULT_TABLE_NAME } from '../functions/core/names';
import { normalizeETag, parseNotificationBody } from '../functions/core/s3-event';
import { ACCOUNT_ID } from '../local/edge/s3';
import { REGION, RESOURCES } from '../local/runtime';
import type { ClassicEvent } from './classic/handler';

/**
 * Correctness under real delivery semantics: the same captured S3 events
 * delivered to both designs, duplicated and out of order, and the same key in
 * two buckets. Counts items lost, items wrong, and repeated side effects.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`Benchmark gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The same deliveries through both designs: duplicates, reordering, and the same key in two buckets. */
export async function compareCorrectness(deps: {
  s3: S3Client;
  sqs: SQSClient;
  sfn: SFNClient;
  dynamo: DynamoDBDocumentClient;
  invokeClassic: (event: ClassicEvent) => Promise<boolean>;
  queueUrl: (name: string) => string;
  /** Notifications received so far for a key. */
  notifications: (key: string) => number;
}) {
  const { s3, sqs, sfn, dynamo, queueUrl } = deps;
  await sqs.send(new CreateQueueCommand({ QueueName: 'bench-capture' }));
  for (const bucket of ['bench-staging', 'bench-staging-2']) {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:bench-capture`,
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            },
          ],
        },
      }),
    );
  }
  const captured: string[] = [];
  const capture = async (count: number) => {
    await until(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl('bench-capture'), MaxNumberOfMessages: 10 }),
        );
        for (const message of Messages) {
          if (!(message.Body ?? '').includes('s3:TestEvent')) captured.push(message.Body ?? '');
          await sqs.send(
            new DeleteMessageCommand({
              QueueUrl: queueUrl('bench-capture'),
              ReceiptHandle: message.ReceiptHandle ?? '',
            }),
          );
        }
        return captured.length >= count ? true : undefined;
      },
      30_000,
      'captured events',
    );
    return captured.splice(0, count);
  };
  const pipelineDeliver = async (bodies: readonly string[]) => {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('s3-metadata-ingest'),
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    for (const body of bodies) {
      const parsed = parseNotificationBody(body);
      if (parsed.kind !== 'events' || parsed.events[0] === undefined) continue;
      const executionArn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:execution:${RESOURCES.stateMachine}:${executionName(parsed.events[0])}`;
      await until(
        async () => {
          const described = await sfn
            .send(new DescribeExecutionCommand({ executionArn }))
            .catch(() => undefined);
          return described !== undefined && described.status !== 'RUNNING' ? true : undefined;
        },
        60_000,
        'a pipeline execution',
      );
    }
  };
  const pipelineItem = async (bucket: string, key: string) =>
    (
      await dynamo.send(
        new GetCommand({ TableName: DEFAULT_TABLE_NAME, Key: { BucketName: bucket, ObjectKey: key } }),
      )
    ).Item;
  const classicItem = async (key: string) =>
    (await dynamo.send(new GetCommand({ TableName: 'ClassicMetadata', Key: { ObjectKey: key } }))).Item;
  const classicDeliver = async (bodies: readonly string[]) => {
    for (const body of bodies) await deps.invokeClassic(JSON.parse(body) as ClassicEvent);
  };
  const score = () => ({ runs: 0, lost: 0, wrong: 0, duplicateEffects: 0 });
  const scenarios: {
    scenario: string;
    pipeline: ReturnType<typeof score>;
    classic: ReturnType<typeof score>;
  }[] = [];

  // 1. One event delivered three times.
  {
    const entry = { scenario: 'the same event delivered 3 times', pipeline: score(), classic: score() };
    const key = 'bench/correctness/duplicate.txt';
    await s3.send(new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'once' }));
    const [event = ''] = await capture(1);
    let classicWrites = 0;
    const counting = async (bodies: readonly string[]) => {
      for (const body of bodies)
        if (await deps.invokeClassic(JSON.parse(body) as ClassicEvent)) classicWrites += 1;
    };
    await pipelineDeliver([event, event, event]);
    await sleep(1000);
    await counting([event, event, event]);
    entry.pipeline.runs = entry.classic.runs = 1;
    entry.pipeline.duplicateEffects = Math.max(0, deps.notifications(key) - 1);
    entry.classic.duplicateEffects = classicWrites - 1;
    if ((await pipelineItem('bench-staging', key)) === undefined) entry.pipeline.lost += 1;
    if ((await classicItem(key)) === undefined) entry.classic.lost += 1;
    scenarios.push(entry);
  }

  // 2. Write, delete, write again: every order of arrival. The object exists at the end.
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  {
    const entry = {
      scenario: 'write, delete, write again, in every arrival order (6)',
      pipeline: score(),
      classic: score(),
    };
    for (const [index, order] of orders.entries()) {
      const key = `bench/correctness/rewritten-${index}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'first' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'bench-staging', Key: key }));
      const last = await s3.send(
        new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'final version' }),
      );
      const events = await capture(3);
      const shuffled = order.map((position) => events[position] ?? '');
      await pipelineDeliver(shuffled);
      await classicDeliver(shuffled);
      const eTag = normalizeETag(last.ETag ?? '');
      const mine = await pipelineItem('bench-staging', key);
      const theirs = await classicItem(key);
      entry.pipeline.runs += 1;
      entry.classic.runs += 1;
      if (mine === undefined || mine.Status !== 'present') entry.pipeline.lost += 1;
      else if (mine.ETag !== eTag) entry.pipeline.wrong += 1;
      if (theirs === undefined) entry.classic.lost += 1;
      else if (theirs.ETag !== eTag) entry.classic.wrong += 1;
    }
    scenarios.push(entry);
  }

  // 3. Write, overwrite, delete: every order of arrival. The object is gone at the end.
  {
    const entry = {
      scenario: 'write, overwrite, delete, in every arrival order (6)',
      pipeline: score(),
      classic: score(),
    };
    for (const [index, order] of orders.entries()) {
      const key = `bench/correctness/deleted-${index}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'one' }));
      await s3.send(new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'two!' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'bench-staging', Key: key }));
      const events = await capture(3);
      const shuffled = order.map((position) => events[position] ?? '');
      await pipelineDeliver(shuffled);
      await classicDeliver(shuffled);
      entry.pipeline.runs += 1;
      entry.classic.runs += 1;
      if ((await pipelineItem('bench-staging', key))?.Status !== 'deleted') entry.pipeline.wrong += 1;
      if ((await classicItem(key)) !== undefined) entry.classic.wrong += 1;
    }
    scenarios.push(entry);
  }

  // 4. The same key in two buckets.
  {
    const entry = { scenario: 'the same key in two buckets', pipeline: score(), classic: score() };
    const key = 'bench/correctness/shared-name.csv';
    await s3.send(new PutObjectCommand({ Bucket: 'bench-staging', Key: key, Body: 'in the first bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bench-staging-2', Key: key, Body: 'in the second' }));
    const events = await capture(2);
    await pipelineDeliver(events);
    await classicDeliver(events);
    entry.pipeline.runs = entry.classic.runs = 2;
    for (const bucket of ['bench-staging', 'bench-staging-2']) {
      if ((await pipelineItem(bucket, key)) === undefined) entry.pipeline.lost += 1;
    }
    const theirs = await classicItem(key);
    entry.classic.lost = theirs === undefined ? 2 : 1; // one item for two objects
    scenarios.push(entry);
  }
  for (const entry of scenarios) {
    log(
      `    ${entry.scenario}: pipeline lost ${entry.pipeline.lost}, wrong ${entry.pipeline.wrong}, repeats ${entry.pipeline.duplicateEffects}; classic lost ${entry.classic.lost}, wrong ${entry.classic.wrong}, repeats ${entry.classic.duplicateEffects}`,
    );
  }
  return scenarios;
}
