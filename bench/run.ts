import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
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
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { executionName } from '../functions/core/execution-name';
import { parseNotificationBody } from '../functions/core/s3-event';
import { startRuntimeProcess } from '../test/support/runtime-process';
import { renderChart } from './chart';
import { type ClassicEvent, classicHandler } from './classic/handler';
import { measureColdStarts } from './cold-start';
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
 * - the pipeline end to end (PutObject answered -> notification received);
 * - the floor: the same objects, a straight-line script making only the
 *   necessary calls (PutObject, HeadObject, a ranged GET, PutItem, Publish);
 * - the classic single Lambda of the tutorials (HeadObject + PutItem);
 * - duplicate and out-of-order deliveries through both designs;
 * - a 2,000-object burst, for the runtime's memory;
 * - cold starts, per handler; cost per million files from the run's counts.
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

async function main(): Promise<void> {
  log(
    `npm run bench${smoke ? ' (smoke)' : ''}: N=${N}, ${CONCURRENCY} concurrent clients, ${cpus().length} cores, Node ${process.version}`,
  );
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
    const results = await benchmark(runtime.endpoint, runtime.child.pid ?? 0);
    const parsed = resultsSchema.parse(results);
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(parsed, null, 2)}\n`);
    writeFileSync(OUT.replace(/\.json$/, '.svg'), renderChart(parsed));
    writeFileSync(OUT.replace(/\.json$/, '.md'), renderMarkdown(parsed));
    log(`\n${renderTable(parsed)}`);
    log(`\nWritten: ${OUT}, ${OUT.replace(/\.json$/, '.svg')}, ${OUT.replace(/\.json$/, '.md')}`);
  } finally {
    await runtime.stop();
  }
}

async function benchmark(endpoint: string, runtimePid: number): Promise<BenchResults> {
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

  /** A queue subscribed to a topic, read by a few long-polling readers that note when each key arrived. */
  async function arrivals(topicArn: string, queue: string) {
    await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`,
      }),
    );
    const seen = new Map<string, number[]>();
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
          seen.set(key, [...(seen.get(key) ?? []), at]);
        }
        if (Messages.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl(queue),
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
      }
    });
    return {
      seen,
      stop: async () => {
        running = false;
        await Promise.all(readers);
      },
    };
  }

  const pipelineTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:s3-metadata-notifications`;
  const pipelineNotes = await arrivals(pipelineTopic, 'bench-pipeline-notes');

  /** Uploads objects with the configured concurrency; returns when each PutObject was answered. */
  async function upload(bucket: string, objects: readonly BenchObject[]) {
    const answered = new Map<string, number>();
    const eTags = new Map<string, string>();
    const started = now();
    await pool(objects, CONCURRENCY, async (object) => {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
        }),
      );
      answered.set(object.key, now());
      eTags.set(object.key, (put.ETag ?? '').replace(/"/g, ''));
    });
    return { answered, eTags, started };
  }

  function endToEnd(
    objects: readonly BenchObject[],
    answered: Map<string, number>,
    done: Map<string, number>,
    started: number,
  ) {
    const latencies = objects.map(
      (object) => (done.get(object.key) ?? Number.NaN) - (answered.get(object.key) ?? 0),
    );
    const seconds = (Math.max(...done.values()) - started) / 1000;
    const latency = latencyOf(latencies);
    return {
      objects: objects.length,
      seconds: round(seconds, 2),
      throughputPerSecond: round(objects.length / seconds, 1),
      latencyMs: roundAll(latency),
    };
  }

  // --- the pipeline -------------------------------------------------------------------------
  log('\n[1/6] The pipeline, end to end (PutObject answered -> notification received)...');
  const pipelineObjects = workload('bench/pipeline', N);
  const before = await stats();
  const memory = memorySampler(runtimePid);
  const pipelineUpload = await upload('uploads', pipelineObjects);
  await until(
    async () => (pipelineObjects.every((object) => pipelineNotes.seen.has(object.key)) ? true : undefined),
    600_000,
    `the notifications of ${N} objects`,
  );
  const pipelineMemory = memory.stop();
  const pipelineDone = new Map(
    pipelineObjects.map((object) => [object.key, Math.min(...(pipelineNotes.seen.get(object.key) ?? [0]))]),
  );
  const pipeline = endToEnd(pipelineObjects, pipelineUpload.answered, pipelineDone, pipelineUpload.started);
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
  const starterInvocations = delta('starter').count;
  const perFile: PerFile = {
    transitions: transitions / N,
    lambdaInvocations: invocations / N,
    lambdaBilledMs: billedMs / N,
    writeUnits: items.reduce((sum, item) => sum + writeUnits(item, 2), 0) / Math.max(items.length, 1),
    snsPublishes: requests('sns Publish') / N,
    // S3 -> SQS SendMessage per file; one ReceiveMessage and one DeleteMessageBatch per starter batch.
    sqsRequests: (N + 2 * starterInvocations) / N,
    s3Requests: (requests('s3 HEAD') + requests('s3 GET')) / N,
    executionSeconds: executionSeconds / N,
  };

  // --- the floor ----------------------------------------------------------------------------
  log('\n[2/6] The floor: only the necessary calls, straight line, same concurrency...');
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-floor' })).catch(() => undefined);
  const floorTopic = (await sns.send(new CreateTopicCommand({ Name: 'bench-floor-topic' }))).TopicArn ?? '';
  const floorNotes = await arrivals(floorTopic, 'bench-floor-notes');
  const floorObjects = workload('bench/floor', N);
  const floorAnswered = new Map<string, number>();
  const floorStarted = now();
  await pool(floorObjects, CONCURRENCY, async (object) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench-floor',
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
    floorAnswered.set(object.key, now());
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-floor', Key: object.key }));
    if (object.body.length > 0) {
      const part = await s3.send(
        new GetObjectCommand({
          Bucket: 'bench-floor',
          Key: object.key,
          Range: 'bytes=0-4095',
          IfMatch: head.ETag,
        }),
      );
      await part.Body?.transformToByteArray();
    }
    const item = {
      BucketName: 'bench-floor',
      ObjectKey: object.key,
      ETag: head.ETag,
      FileSize: head.ContentLength,
      ContentType: head.ContentType,
      UploadTime: new Date().toISOString(),
    };
    await dynamo.send(new PutCommand({ TableName: 'S3FileMetadata', Item: item }));
    await sns.send(
      new PublishCommand({
        TopicArn: floorTopic,
        Message: JSON.stringify({ key: object.key, object: item }),
      }),
    );
  });
  await until(
    async () => (floorObjects.every((object) => floorNotes.seen.has(object.key)) ? true : undefined),
    600_000,
    'the floor notifications',
  );
  const floorDone = new Map(
    floorObjects.map((object) => [object.key, Math.min(...(floorNotes.seen.get(object.key) ?? [0]))]),
  );
  const floor = endToEnd(floorObjects, floorAnswered, floorDone, floorStarted);
  log(
    `    ${floor.throughputPerSecond} objects/s, p50 ${floor.latencyMs.p50} ms, p95 ${floor.latencyMs.p95} ms, p99 ${floor.latencyMs.p99} ms`,
  );
  await floorNotes.stop();

  // --- the classic single Lambda ------------------------------------------------------------
  log('\n[3/6] The classic single Lambda (HeadObject + PutItem on the S3 event)...');
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
  const classicDone = new Map<string, number>();
  let classicRunning = true;
  // The S3 -> Lambda trigger, driven through the same emulators: events from the bucket, invoked as they come.
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
            classicDone.set(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), now());
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
  const classicUpload = await upload('bench-classic', classicObjects);
  await until(
    async () => (classicObjects.every((object) => classicDone.has(object.key)) ? true : undefined),
    600_000,
    'the classic design',
  );
  classicRunning = false;
  await Promise.all(classicPollers);
  const classicRun = endToEnd(classicObjects, classicUpload.answered, classicDone, classicUpload.started);
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
  log('\n[4/6] Duplicates and out-of-order deliveries through both designs...');
  const correctness = await compareCorrectness({
    s3,
    sqs,
    sfn,
    dynamo,
    invokeClassic,
    queueUrl,
    pipelineNotes,
  });

  // --- burst and memory ---------------------------------------------------------------------
  log(`\n[5/6] Burst: ${BURST} uploads from 8 clients, resident memory of the runtime...`);
  const burstObjects = Array.from({ length: BURST }, (_, index) => ({
    key: `bench/burst/${String(index).padStart(5, '0')}.txt`,
    body: Buffer.from(`burst object ${index}\n`.repeat(20)),
    contentType: 'text/plain',
  }));
  const burstMemory = memorySampler(runtimePid);
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
  await until(
    async () => (burstObjects.every((object) => pipelineNotes.seen.has(object.key)) ? true : undefined),
    900_000,
    'the burst',
  );
  const burstPeak = burstMemory.stop();
  const burst = {
    objects: BURST,
    writers: 8,
    seconds: round((now() - burstStarted) / 1000, 1),
    peakRuntimeRssMb: Math.max(burstPeak.peakProcessMb, pipelineMemory.peakProcessMb),
    peakTreeRssMb: Math.max(burstPeak.peakTreeMb, pipelineMemory.peakTreeMb),
  };
  log(
    `    ${burst.seconds} s; peak resident memory: runtime ${burst.peakRuntimeRssMb} MB, with emulators ${burst.peakTreeRssMb} MB`,
  );
  await pipelineNotes.stop();

  // --- cold starts --------------------------------------------------------------------------
  log(`\n[6/6] Cold starts: bundle and module init per handler (median of ${COLD_RUNS})...`);
  const coldStart = await measureColdStarts(COLD_RUNS, join(__dirname, 'results', 'tmp'));
  for (const cold of coldStart)
    log(
      `    ${cold.handler.padEnd(22)} ${(cold.bundleBytes / 1024).toFixed(0).padStart(4)} KB  init ${cold.initMsMedian.toFixed(1)} ms`,
    );

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
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
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

/** The same deliveries through both designs: duplicates, reordering, and the same key in two buckets. */
async function compareCorrectness(deps: {
  s3: S3Client;
  sqs: SQSClient;
  sfn: SFNClient;
  dynamo: DynamoDBDocumentClient;
  invokeClassic: (event: ClassicEvent) => Promise<boolean>;
  queueUrl: (name: string) => string;
  pipelineNotes: { seen: Map<string, number[]> };
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
              QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:bench-capture`,
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
      const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:metadata-pipeline:${executionName(parsed.events[0])}`;
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
        new GetCommand({ TableName: 'S3FileMetadata', Key: { BucketName: bucket, ObjectKey: key } }),
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
    entry.pipeline.duplicateEffects = Math.max(0, (deps.pipelineNotes.seen.get(key)?.length ?? 0) - 1);
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
      const eTag = (last.ETag ?? '').replace(/"/g, '');
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
