import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startRuntimeProcess } from '../test/support/runtime-process';
import { renderChart } from './chart';
import { type ClassicEvent, classicHandler } from './classic/handler';
import { type ColdStart, measureColdStarts } from './cold-start';
import { compareCorrectness } from './correctness';
import { classicCost, expressCost, loadPrices, type PerFile, standardCost, total, writeUnits } from './cost';
import { latencyOf, memorySampler } from './measure';
import { renderMarkdown, renderTable } from './report';
import { type BenchResults, resultsSchema } from './results-schema';
import { type BenchObject, workload } from './workload';

/**
 * `npm run bench`: how fast a file becomes a record, what it costs per
 * million files, how quickly a cold function starts. Everything is measured
 * in this run, on this machine, against the same local emulators:
 *
 * - cold starts, per handler (first, while nothing else runs);
 * - the pipeline end to end: PutObject answered -> notification received;
 * - the floor: the same objects, a straight-line script making only the
 *   necessary calls (PutObject, HeadObject, a ranged GET, PutItem, Publish);
 * - the classic single Lambda of the tutorials (HeadObject + PutItem);
 *   all three closed loop at the same concurrency: a client uploads an object,
 *   waits until it is recorded, uploads the next;
 * - duplicate and out-of-order deliveries through both designs;
 * - a burst of uploads as fast as the clients go: capacity and memory;
 * - cost per million files from the run's own counts.
 */

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string' },
    concurrency: { type: 'string' },
    burst: { type: 'string' },
    'cold-start-runs': { type: 'string' },
    out: { type: 'string' },
    smoke: { type: 'boolean' },
  },
  strict: true,
});
const smoke = flags.smoke === true;
function wholeNumber(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    process.stderr.write(`Error: --${name} must be a whole number from 1 to ${max} (received "${value}")\n`);
    process.exit(2);
  }
  return Number(value);
}
const N = wholeNumber('n', flags.n, smoke ? 20 : 1000, 100_000);
const CONCURRENCY = wholeNumber('concurrency', flags.concurrency, 8, 256);
const BURST = wholeNumber('burst', flags.burst, smoke ? 30 : 2000, 100_000);
const COLD_RUNS = wholeNumber('cold-start-runs', flags['cold-start-runs'], smoke ? 3 : 20, 200);
const OUT = flags.out ?? join(__dirname, 'results', 'latest.json');

const log = (line: string) => process.stdout.write(`${line}\n`);
const now = () => performance.now();

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
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
async function pool<T>(
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
function completions() {
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

async function main(): Promise<void> {
  log(
    `npm run bench${smoke ? ' (smoke)' : ''}: N=${N}, ${CONCURRENCY} concurrent clients, ${cpus().length} cores, Node ${process.version}`,
  );
  log(`\n[1/6] Cold starts: bundle and module init per handler (median of ${COLD_RUNS} fresh processes)...`);
  const coldStart = await measureColdStarts(COLD_RUNS, join(__dirname, 'results', 'tmp'));
  for (const cold of coldStart) {
    log(
      `    ${cold.handler.padEnd(22)} ${(cold.bundleBytes / 1024).toFixed(0).padStart(4)} KB  init ${cold.initMsMedian.toFixed(1)} ms`,
    );
  }
  const runtime = await startRuntimeProcess([
    '--quiet',
    '--bucket',
    'uploads',
    '--bucket',
    'bench-staging',
    '--bucket',
    'bench-staging-2',
  ]);
  try {
    const results = resultsSchema.parse(await benchmark(runtime.endpoint, runtime.child.pid ?? 0, coldStart));
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(OUT.replace(/\.json$/, '.svg'), renderChart(results));
    writeFileSync(OUT.replace(/\.json$/, '.md'), renderMarkdown(results));
    log(`\n${renderTable(results)}`);
    log(`\nWritten: ${OUT}, ${OUT.replace(/\.json$/, '.svg')}, ${OUT.replace(/\.json$/, '.md')}`);
  } finally {
    await runtime.stop();
  }
}

async function benchmark(
  endpoint: string,
  runtimePid: number,
  coldStart: ColdStart[],
): Promise<BenchResults> {
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const s3 = new S3Client(config);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const sfn = new SFNClient(config);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const queueUrl = (name: string) => `${endpoint}/${ACCOUNT}/${name}`;
  const stats = async () =>
    (await (await fetch(`${endpoint}/_runtime/stats`)).json()) as {
      functions: Record<string, { count: number; totalMs: number }>;
      pipelineRequests: Record<string, number>;
    };

  /** A queue subscribed to a topic, read by a few long-polling readers that note when each key arrives. */
  async function subscriber(topicArn: string, queue: string) {
    await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`,
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
              QueueUrl: queueUrl(queue),
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
              QueueUrl: queueUrl(queue),
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

  /**
   * Closed loop, the same for all three designs: each client uploads an
   * object, waits until it is done (`done` resolves with the time), then
   * uploads the next. Latency is then the design's, not a backlog's.
   */
  async function uploadAndWait(
    bucket: string,
    objects: readonly BenchObject[],
    done: (key: string) => Promise<number>,
  ) {
    const latencies: number[] = [];
    let last = 0;
    const started = now();
    await pool(objects, CONCURRENCY, async (object) => {
      await s3.send(
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

  // --- the pipeline -------------------------------------------------------------------------
  log('\n[2/6] The pipeline, end to end (PutObject answered -> notification received)...');
  const notes = await subscriber(
    `arn:aws:sns:${REGION}:${ACCOUNT}:s3-metadata-notifications`,
    'bench-pipeline-notes',
  );
  const pipelineObjects = workload('bench/pipeline', N);
  const before = await stats();
  const pipeline = await uploadAndWait('uploads', pipelineObjects, notes.arrivals.when);
  const after = await stats();
  log(
    `    ${pipeline.throughputPerSecond} objects/s, p50 ${pipeline.latencyMs.p50} ms, p95 ${pipeline.latencyMs.p95} ms, p99 ${pipeline.latencyMs.p99} ms`,
  );

  log('      counting what the run did (execution histories, items)...');
  let transitions = 0;
  let executionSeconds = 0;
  const items: Record<string, unknown>[] = [];
  for (const object of pipelineObjects) {
    const item = (
      await dynamo.send(
        new GetCommand({
          TableName: 'S3FileMetadata',
          Key: { BucketName: 'uploads', ObjectKey: object.key },
        }),
      )
    ).Item;
    if (item === undefined) continue;
    items.push(item);
    const executionArn = String(item.ExecutionArn);
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    const entered = events.filter((event) => event.type?.endsWith('StateEntered')).length;
    const scheduled = events.filter((event) => event.type === 'TaskScheduled').length;
    const tasks = events.filter((event) => event.type === 'TaskStateEntered').length;
    transitions += entered + (scheduled - tasks); // a retry is billed as a transition too
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    executionSeconds += ((described.stopDate?.getTime() ?? 0) - (described.startDate?.getTime() ?? 0)) / 1000;
  }
  const delta = (name: string) => ({
    count: (after.functions[name]?.count ?? 0) - (before.functions[name]?.count ?? 0),
    totalMs: (after.functions[name]?.totalMs ?? 0) - (before.functions[name]?.totalMs ?? 0),
  });
  const functionNames = [
    'starter',
    'describe-object',
    'sniff-content',
    'write-metadata',
    'publish-notification',
  ];
  const invocations = functionNames.reduce((sum, name) => sum + delta(name).count, 0);
  // Lambda bills each invocation rounded up to the millisecond.
  const billedMs = functionNames.reduce(
    (sum, name) => sum + delta(name).totalMs + delta(name).count * 0.5,
    0,
  );
  const requests = (name: string) =>
    (after.pipelineRequests[name] ?? 0) - (before.pipelineRequests[name] ?? 0);
  const perFile: PerFile = {
    transitions: transitions / N,
    lambdaInvocations: invocations / N,
    lambdaBilledMs: billedMs / N,
    writeUnits: items.reduce((sum, item) => sum + writeUnits(item, 2), 0) / Math.max(items.length, 1),
    snsPublishes: requests('sns Publish') / N,
    // S3 -> SQS SendMessage per file; one ReceiveMessage and one DeleteMessageBatch per starter batch.
    sqsRequests: (N + 2 * delta('starter').count) / N,
    s3Requests: (requests('s3 HEAD') + requests('s3 GET')) / N,
    executionSeconds: executionSeconds / N,
  };

  // --- the floor ----------------------------------------------------------------------------
  log('\n[3/6] The floor: only the necessary calls, straight line, same concurrency...');
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-floor' })).catch(() => undefined);
  const floorTopic = (await sns.send(new CreateTopicCommand({ Name: 'bench-floor-topic' }))).TopicArn ?? '';
  const floorNotes = await subscriber(floorTopic, 'bench-floor-notes');
  const floorObjects = new Map(workload('bench/floor', N).map((object) => [object.key, object]));
  const floor = await uploadAndWait('bench-floor', [...floorObjects.values()], async (key) => {
    const object = floorObjects.get(key);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-floor', Key: key }));
    if ((object?.body.length ?? 0) > 0) {
      const part = await s3.send(
        new GetObjectCommand({ Bucket: 'bench-floor', Key: key, Range: 'bytes=0-4095', IfMatch: head.ETag }),
      );
      await part.Body?.transformToByteArray();
    }
    const item = {
      BucketName: 'bench-floor',
      ObjectKey: key,
      ETag: head.ETag,
      FileSize: head.ContentLength,
      ContentType: head.ContentType,
      UploadTime: new Date().toISOString(),
    };
    await dynamo.send(new PutCommand({ TableName: 'S3FileMetadata', Item: item }));
    await sns.send(
      new PublishCommand({ TopicArn: floorTopic, Message: JSON.stringify({ key, object: item }) }),
    );
    return floorNotes.arrivals.when(key);
  });
  await floorNotes.stop();
  log(
    `    ${floor.throughputPerSecond} objects/s, p50 ${floor.latencyMs.p50} ms, p95 ${floor.latencyMs.p95} ms, p99 ${floor.latencyMs.p99} ms`,
  );

  // --- the classic single Lambda ------------------------------------------------------------
  log('\n[4/6] The classic single Lambda (HeadObject + PutItem on the S3 event)...');
  await new DynamoDBClient(config)
    .send(
      new CreateTableCommand({
        TableName: 'ClassicMetadata',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'ObjectKey', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'ObjectKey', KeyType: 'HASH' }],
      }),
    )
    .catch(() => undefined);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-classic' })).catch(() => undefined);
  await sqs.send(new CreateQueueCommand({ QueueName: 'bench-classic-events' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'bench-classic',
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:bench-classic-events`,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          },
        ],
      },
    }),
  );
  const classic = classicHandler({ s3, dynamo, tableName: 'ClassicMetadata' });
  const classicDurations: number[] = [];
  /** Lambda's asynchronous invocation: two retries after a failure, then the event is dropped. */
  const invokeClassic = async (event: ClassicEvent): Promise<boolean> => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const started = now();
      try {
        await classic(event);
        classicDurations.push(now() - started);
        return true;
      } catch {
        classicDurations.push(now() - started);
      }
    }
    return false;
  };
  const classicDone = completions();
  let classicRunning = true;
  // The S3 -> Lambda trigger, driven through the same emulators: the bucket's events, invoked as they come.
  const classicPollers = Array.from({ length: CONCURRENCY }, async () => {
    while (classicRunning) {
      const { Messages = [] } = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl('bench-classic-events'),
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: 1,
          }),
        )
        .catch(() => ({ Messages: [] }));
      for (const message of Messages) {
        const body = JSON.parse(message.Body ?? '{}') as ClassicEvent & { Event?: string };
        if (body.Records !== undefined) {
          await invokeClassic(body);
          for (const record of body.Records)
            classicDone.complete(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), now());
        }
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: queueUrl('bench-classic-events'),
            ReceiptHandle: message.ReceiptHandle ?? '',
          }),
        );
      }
    }
  });
  const classicObjects = workload('bench/classic', N);
  const classicRun = await uploadAndWait('bench-classic', classicObjects, classicDone.when);
  classicRunning = false;
  await Promise.all(classicPollers);
  const classicItem =
    (
      await dynamo.send(
        new GetCommand({ TableName: 'ClassicMetadata', Key: { ObjectKey: classicObjects[0]?.key } }),
      )
    ).Item ?? {};
  log(
    `    ${classicRun.throughputPerSecond} objects/s, p50 ${classicRun.latencyMs.p50} ms, p95 ${classicRun.latencyMs.p95} ms, p99 ${classicRun.latencyMs.p99} ms`,
  );

  // --- correctness: the same deliveries through both designs ---------------------------------
  log('\n[5/6] Duplicates and out-of-order deliveries through both designs...');
  const correctness = await compareCorrectness({
    s3,
    sqs,
    sfn,
    dynamo,
    invokeClassic,
    queueUrl,
    notifications: (key) => notes.counts.get(key) ?? 0,
  });

  // --- burst: capacity and memory -----------------------------------------------------------
  log(`\n[6/6] Burst: ${BURST} uploads from 8 clients as fast as they go; resident memory of the runtime...`);
  const burstObjects = Array.from({ length: BURST }, (_, index) => ({
    key: `bench/burst/${String(index).padStart(5, '0')}.txt`,
    body: Buffer.from(`burst object ${index}\n`.repeat(20)),
    contentType: 'text/plain',
  }));
  const memory = memorySampler(runtimePid);
  const burstStarted = now();
  await pool(burstObjects, 8, async (object) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
  });
  const uploadedIn = (now() - burstStarted) / 1000;
  await withTimeout(
    Promise.all(burstObjects.map((object) => notes.arrivals.when(object.key))),
    900_000,
    'the burst',
  );
  const peak = memory.stop();
  const burst = {
    objects: BURST,
    writers: 8,
    seconds: round((now() - burstStarted) / 1000, 1),
    uploadSeconds: round(uploadedIn, 1),
    peakRuntimeRssMb: peak.peakProcessMb,
    peakTreeRssMb: peak.peakTreeMb,
  };
  log(
    `    uploaded in ${burst.uploadSeconds} s, all recorded after ${burst.seconds} s (${round(BURST / burst.seconds, 1)} objects/s); peak memory: runtime ${burst.peakRuntimeRssMb} MB, with emulators ${burst.peakTreeRssMb} MB`,
  );
  await notes.stop();

  // --- cost ---------------------------------------------------------------------------------
  const prices = loadPrices();
  const classicPerFile = {
    lambdaBilledMs:
      classicDurations.reduce((sum, ms) => sum + ms + 0.5, 0) / Math.max(classicDurations.length, 1),
    writeUnits: writeUnits(classicItem, 0),
  };
  const standard = standardCost(prices, perFile);
  const express = expressCost(prices, perFile);
  const classicBreakdown = classicCost(prices, classicPerFile);
  const transitionsCost = standard['Step Functions transitions'] ?? 0;

  const coldLimit = (name: string) => (name === 'starter' ? 50 : 100);
  const targets = [
    {
      name: 'Pipeline throughput >= 50% of the floor',
      target: '>= 0.5',
      measured: round(pipeline.throughputPerSecond / floor.throughputPerSecond, 2),
      met: pipeline.throughputPerSecond >= 0.5 * floor.throughputPerSecond,
    },
    {
      name: 'Pipeline p50 latency <= 2x the floor',
      target: '<= 2.0',
      measured: round(pipeline.latencyMs.p50 / floor.latencyMs.p50, 2),
      met: pipeline.latencyMs.p50 <= 2 * floor.latencyMs.p50,
    },
    ...coldStart.map((cold) => ({
      name: `${cold.handler}: module init < ${coldLimit(cold.handler)} ms`,
      target: `< ${coldLimit(cold.handler)}`,
      measured: round(cold.initMsMedian, 1),
      met: cold.initMsMedian < coldLimit(cold.handler),
    })),
    ...coldStart.map((cold) => ({
      name: `${cold.handler}: bundle < 300 KB`,
      target: '< 300',
      measured: round(cold.bundleBytes / 1024, 1),
      met: cold.bundleBytes < 300 * 1024,
    })),
    {
      name: 'STANDARD cost per million <= classic + transitions',
      target: `<= ${round(total(classicBreakdown) + transitionsCost, 2)}`,
      measured: round(total(standard), 2),
      met: total(standard) <= total(classicBreakdown) + transitionsCost,
    },
    {
      name: `Runtime resident memory < 1.5 GB through the ${BURST}-object burst`,
      target: '< 1536',
      measured: burst.peakRuntimeRssMb,
      met: burst.peakRuntimeRssMb < 1536,
    },
  ];

  return {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.replace(/ -- $/, '').trim(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: round(totalmem() / 1024 ** 3, 1),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    n: N,
    concurrency: CONCURRENCY,
    endToEnd: {
      pipeline,
      floor,
      classic: classicRun,
      ratios: {
        throughputVsFloor: round(pipeline.throughputPerSecond / floor.throughputPerSecond, 2),
        p50VsFloor: round(pipeline.latencyMs.p50 / floor.latencyMs.p50, 2),
      },
    },
    correctness,
    burst,
    coldStart: coldStart.map((cold) => ({
      ...cold,
      initMsMedian: round(cold.initMsMedian, 1),
      imports: cold.imports.slice(0, 6).map((entry) => ({ ...entry, initMs: round(entry.initMs, 1) })),
    })),
    cost: {
      pricesAsOf: prices.asOf,
      region: prices.region,
      perFile: roundAll(perFile),
      perMillion: {
        standard: { total: round(total(standard), 2), breakdown: roundAll(standard) },
        express: { total: round(total(express), 2), breakdown: roundAll(express) },
        classic: { total: round(total(classicBreakdown), 2), breakdown: roundAll(classicBreakdown) },
      },
    },
    targets,
  };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Rounds every number of a record: latencies to the millisecond, amounts to three decimals. */
function roundAll<T extends object>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).map(([name, value]) => [
      name,
      round(Number(value), /^p\d+$|^max$/.test(name) ? 0 : 3),
    ]),
  ) as T;
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
