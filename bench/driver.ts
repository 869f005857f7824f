import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_ID } from '../local/edge/s3';
import { REGION } from '../local/runtime';
import { latencyOf } from './measure';
import type { BenchObject } from './workload';

/**
 * What every phase of the bench drives the runtime with: the SDK clients on
 * its public endpoint, closed-loop uploads, a notification subscriber.
 */

/** The SDK clients on the runtime's public endpoint, and its counters. */
export interface BenchClients {
  endpoint: string;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  sfn: SFNClient;
  dynamo: DynamoDBDocumentClient;
  queueUrl(name: string): string;
  stats(): Promise<RuntimeStats>;
}

/** GET /_runtime/stats: invocations per function, requests per service and operation. */
export interface RuntimeStats {
  functions: Record<string, { count: number; totalMs: number }>;
  pipelineRequests: Record<string, number>;
}

export function benchClients(endpoint: string): BenchClients {
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  return {
    endpoint,
    config,
    s3: new S3Client(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    sfn: new SFNClient(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    queueUrl: (name) => `${endpoint}/${ACCOUNT_ID}/${name}`,
    stats: async () => (await (await fetch(`${endpoint}/_runtime/stats`)).json()) as RuntimeStats,
  };
}

export const now = () => performance.now();

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Benchmark gave up after ${timeoutMs / 1000} s waiting for ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `work` over items with a fixed number of workers. */
export async function pool<T>(
  items: readonly T[],
  workers: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

/** Promises resolved when a key is done (now or later). */
export function completions() {
  const done = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  return {
    done,
    complete(key: string, at: number) {
      if (!done.has(key)) done.set(key, at);
      waiting.get(key)?.(at);
      waiting.delete(key);
    },
    when(key: string): Promise<number> {
      const at = done.get(key);
      return at !== undefined ? Promise.resolve(at) : new Promise((resolve) => waiting.set(key, resolve));
    },
  };
}

/** A notification subscriber: arrivals by key, how many per key, and a stop. */
export type Subscriber = Awaited<ReturnType<typeof subscriber>>;

/** A queue subscribed to a topic, read by a few long-polling readers that note when each key arrives. */
export async function subscriber(clients: BenchClients, topicArn: string, queue: string) {
  const { sqs, sns } = clients;
  await sqs.send(new CreateQueueCommand({ QueueName: queue }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${queue}`,
    }),
  );
  const arrivals = completions();
  const counts = new Map<string, number>();
  let running = true;
  const readers = Array.from({ length: 4 }, async () => {
    while (running) {
      const { Messages = [] } = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: clients.queueUrl(queue),
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        )
        .catch(() => ({ Messages: [] }));
      const at = now();
      for (const message of Messages) {
        const key = String(JSON.parse(JSON.parse(message.Body ?? '{}').Message ?? '{}').key ?? '');
        counts.set(key, (counts.get(key) ?? 0) + 1);
        arrivals.complete(key, at);
      }
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: clients.queueUrl(queue),
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle ?? '',
            })),
          }),
        );
      }
    }
  });
  return {
    arrivals,
    counts,
    stop: async () => {
      running = false;
      await Promise.all(readers);
    },
  };
}

/** A closed-loop run's outcome: throughput and latency from PutObject answered to done. */
export interface RunResult {
  objects: number;
  seconds: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

/**
 * Closed loop, the same for all three designs: each of `concurrency` clients
 * uploads an object, waits until it is done (`done` resolves with the time),
 * then uploads the next. Latency is then the design's, not a backlog's.
 */
export async function uploadAndWait(
  clients: BenchClients,
  bucket: string,
  objects: readonly BenchObject[],
  concurrency: number,
  done: (key: string) => Promise<number>,
): Promise<RunResult> {
  const latencies: number[] = [];
  let last = 0;
  const started = now();
  await pool(objects, concurrency, async (object) => {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
    const answered = now();
    const finished = await withTimeout(done(object.key), 120_000, `${object.key} to be done`);
    latencies.push(finished - answered);
    last = Math.max(last, finished);
  });
  const seconds = (last - started) / 1000;
  return {
    objects: objects.length,
    seconds: round(seconds, 2),
    throughputPerSecond: round(objects.length / seconds, 1),
    latencyMs: roundAll(latencyOf(latencies)),
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Rounds every number of a record: latencies to the millisecond, amounts to three decimals. */
export function roundAll<T extends object>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).map(([name, value]) => [
      name,
      round(Number(value), /^p\d+$|^max$/.test(name) ? 0 : 3),
    ]),
  ) as T;
}
