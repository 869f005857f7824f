import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  DEFAULT_TABLE_NAME,
  MAX_RECEIVE_COUNT,
  SERVICE_NAME,
  SUBSCRIBED_EVENT_TYPES,
} from '../functions/core/names';
import { TABLE_SCHEMA } from '../functions/core/table-schema';
import { loadDefinition } from '../statemachine/definition';
import { FUNCTION_NAMES, type FunctionName, type StepName, WORKFLOW_STEPS } from '../statemachine/steps';
import type { AslDefinition } from './console/graph';
import { NotificationLog } from './console/notifications';
import { ConsoleServer } from './console/server';
import type { EdgeRequest, EdgeResponse } from './edge/http';
import { ACCOUNT_ID, S3Edge, s3DataDir } from './edge/s3';
import { Edge } from './edge/server';
import { SqsEventSource, type SqsHandler } from './event-source';
import { forwardFailures } from './execution-events';
import { type FaultCounts, type FaultSpec, faultInjector, NO_FAULTS } from './faults';
import { type LambdaHandler, loadHandler } from './lambda-invoke';
import { type Emulator, startDynamoDbLocal, startFauxqs } from './services/emulators';
import { type SnsSubscribers, startSnsSubscribers } from './sns/service';
import { StepFunctionsService } from './step-functions';
import { openStore, type Store } from './store';

/** Names of what the runtime creates, as a deployment would. */
export const RESOURCES = {
  bucket: 'uploads',
  tableName: DEFAULT_TABLE_NAME,
  ingestQueue: 's3-metadata-ingest',
  deadLetterQueue: 's3-metadata-ingest-dlq',
  topic: 's3-metadata-notifications',
  tapQueue: 's3-metadata-notifications-tap',
  stateMachine: 'metadata-pipeline',
} as const;

export const REGION = 'us-east-1';

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /**
   * Port of the edge endpoint; 0 picks a free one.
   * @default 4566
   */
  port?: number;
  /**
   * Keeps all state (objects, queues, table, executions) here across restarts.
   * @default a temporary directory, removed on stop
   */
  dataDir?: string;
  /**
   * The ingest queue's visibility timeout: how long a failed message waits before it is retried.
   * @default 5 (seconds; the deployed queue uses six times the starter's timeout)
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5, as deployed
   */
  maxReceiveCount?: number;
  /**
   * Multiplies the workflow's Retry intervals.
   * @default 1
   */
  retryIntervalScale?: number;
  /** Log level of the handlers (Powertools). @default 'WARN' */
  logLevel?: string;
  /**
   * The buckets to create and watch: their events go to the ingest queue.
   * @default ['uploads']
   */
  buckets?: readonly string[];
  /**
   * Faults to inject into the pipeline's own calls (see local/faults.ts).
   * @default none
   */
  faults?: FaultSpec;
  /**
   * Subscribes a queue of the runtime's own to the topic (`resources.tapQueueUrl`)
   * for the live trace and the demo. Without it nothing is spent on
   * notifications nobody reads, and a tap that an earlier run left subscribed
   * in the same data directory is unsubscribed.
   * @default true
   */
  notificationTap?: boolean;
  /**
   * Multiplies the waits of SNS's HTTP/S delivery policy (retries of a failing
   * webhook) and the 15 s an endpoint has to answer (never below 1 s): 0.01
   * turns the default 20 s between retries into 0.2 s.
   * @default 1
   */
  snsDelayScale?: number;
  /** Receives progress lines during start-up. */
  log?: (line: string) => void;
}

export interface Runtime {
  readonly endpoint: string;
  readonly region: string;
  readonly dataDir: string;
  readonly persistent: boolean;
  readonly resources: {
    bucket: string;
    buckets: readonly string[];
    tableName: string;
    topicArn: string;
    ingestQueueUrl: string;
    deadLetterQueueUrl: string;
    /** The notification tap's queue; undefined when `notificationTap` is off. */
    tapQueueUrl: string | undefined;
    stateMachineArn: string;
  };
  readonly stepFunctions: StepFunctionsService;
  /** Executions restarted because a previous run stopped while they were running. */
  readonly resumedExecutions: number;
  /** What fault injection has done so far. */
  readonly faultCounts: FaultCounts;
  /** SNS's HTTP, HTTPS and email subscribers: certificate, mail folder, delivery trace. */
  readonly sns: SnsSubscribers;
  /** The local console's page: executions, graph, items, notifications (`/_console/` on the endpoint). */
  readonly consoleUrl: string;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Loads the real handler of every function of the registry, configured through the standard environment as in Lambda. */
function loadHandlers(env: Record<string, string>): Record<FunctionName, LambdaHandler> {
  Object.assign(process.env, env);
  // Loaded only now: the entry files read their configuration when first loaded.
  return Object.fromEntries(FUNCTION_NAMES.map((name) => [name, loadHandler(name)])) as Record<
    FunctionName,
    LambdaHandler
  >;
}

async function ensureTable(dynamo: DynamoDBClient): Promise<void> {
  const exists = await dynamo.send(new DescribeTableCommand({ TableName: RESOURCES.tableName })).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const attributes = new Set<string>([
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    ...TABLE_SCHEMA.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  await dynamo.send(
    new CreateTableCommand({
      TableName: RESOURCES.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}

/**
 * Starts the whole pipeline on this machine: the emulators, the edge
 * endpoint, the resources a deployment would create, the SQS event source
 * driving the starter, and the Step Functions service running the definition
 * file with the real handlers.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? (() => undefined);
  const persistent = options.dataDir !== undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 's3-metadata-pipeline-'));
  mkdirSync(dataDir, { recursive: true });
  const releaseDataDir = lockDataDir(dataDir);
  const cleanups: (() => Promise<void> | void)[] = [releaseDataDir];
  let stopped: Promise<void> | undefined;
  // Stops in reverse order of start: pollers first, emulators last. Safe to call twice.
  const stopAll = () => {
    stopped ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) {
        await Promise.resolve()
          .then(cleanup)
          .catch((error: unknown) =>
            log(`while stopping: ${error instanceof Error ? error.message : String(error)}`),
          );
      }
      if (!persistent) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    log('starting DynamoDB Local and fauxqs (SQS, SNS)...');
    const [dynamoDb, fauxqs] = await Promise.all([
      startDynamoDbLocal({
        ...(persistent ? { dataDir: join(dataDir, 'dynamodb') } : {}),
        tmpDir: join(dataDir, 'tmp'),
      }).then((emulator) => {
        cleanups.push(() => emulator.process.stop());
        return emulator;
      }),
      startFauxqs(persistent ? { dataDir: join(dataDir, 'fauxqs') } : {}).then((emulator) => {
        cleanups.push(() => emulator.process.stop());
        return emulator;
      }),
    ]);
    watchEmulator(dynamoDb, log);
    watchEmulator(fauxqs, log);

    const store: Store = openStore(persistent ? join(dataDir, 'runtime.sqlite') : undefined);
    cleanups.push(() => store.close());
    // What the pipeline publishes, kept by object for the console.
    const notificationLog = new NotificationLog(store);
    cleanups.push(() => notificationLog.stop());
    let consoleServer: ConsoleServer | undefined;
    const snsSubscribers = await startSnsSubscribers({
      store,
      dataDir,
      fauxqsEndpoint: fauxqs.endpoint,
      region: REGION,
      delayScale: options.snsDelayScale ?? 1,
    });
    cleanups.push(() => snsSubscribers.stop());

    const s3Edge = new S3Edge({
      sqsEndpoint: fauxqs.endpoint,
      store,
      region: REGION,
      dataDir: s3DataDir(dataDir),
    });
    let stepFunctions: StepFunctionsService | undefined;
    const injector = faultInjector(options.faults ?? NO_FAULTS);
    const edgeOptions = {
      fauxqsEndpoint: fauxqs.endpoint,
      dynamoDbEndpoint: dynamoDb.endpoint,
      s3: s3Edge,
      states: (action: string, body: Record<string, unknown>) => {
        if (stepFunctions === undefined) throw new Error('Step Functions is not started yet');
        return stepFunctions.handle(action, body);
      },
      sns: (request: EdgeRequest, next: (request: EdgeRequest) => Promise<EdgeResponse>) =>
        snsSubscribers.handle(request, next).then((response) => notificationLog.observe(request, response)),
    };
    // Two doors to the same services: the public endpoint, and one for the
    // pipeline's own functions, where injected faults apply.
    const invocations = new Map<string, { count: number; totalMs: number }>();
    const stats = () => ({
      functions: Object.fromEntries(invocations),
      pipelineRequests: Object.fromEntries(pipelineEdge.requests),
      faults: injector.counts,
    });
    const edge = new Edge({
      ...edgeOptions,
      port: options.port ?? 4566,
      stats,
      // The console is on the public endpoint only (loopback, like every listener).
      console: (incoming, outgoing) => consoleServer?.handle(incoming, outgoing) ?? false,
    });
    const endpoint = await edge.start();
    cleanups.push(() => edge.stop());
    const pipelineEdge = new Edge({ ...edgeOptions, port: 0, interceptor: injector.interceptor });
    const pipelineEndpoint = await pipelineEdge.start();
    cleanups.push(() => pipelineEdge.stop());

    const client = { endpoint, region: REGION, credentials: CREDENTIALS };
    const s3 = new S3Client(client);
    const sqs = new SQSClient(client);
    const sns = new SNSClient(client);
    const dynamo = new DynamoDBClient(client);

    log('creating the buckets, table, queues and topic...');
    const buckets = options.buckets ?? [RESOURCES.bucket];
    for (const bucket of buckets) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
        if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
      });
    }
    await ensureTable(dynamo);
    const arnOf = (queue: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${queue}`;
    const queueUrl = async (name: string, attributes: Record<string, string> = {}) => {
      const existing = await sqs.send(new GetQueueUrlCommand({ QueueName: name })).catch(() => undefined);
      if (existing?.QueueUrl) return existing.QueueUrl;
      return (
        (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? ''
      );
    };
    const deadLetterQueueUrl = await queueUrl(RESOURCES.deadLetterQueue, {
      MessageRetentionPeriod: '1209600',
    });
    const ingestQueueUrl = await queueUrl(RESOURCES.ingestQueue, {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 5),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: arnOf(RESOURCES.deadLetterQueue),
        maxReceiveCount: options.maxReceiveCount ?? MAX_RECEIVE_COUNT,
      }),
    });
    // Signed with SHA256, as the deployed topic is (signatureVersion 2 in the construct).
    const topicArn =
      (
        await sns.send(
          new CreateTopicCommand({ Name: RESOURCES.topic, Attributes: { SignatureVersion: '2' } }),
        )
      ).TopicArn ?? '';
    let tapQueueUrl: string | undefined;
    if (options.notificationTap ?? true) {
      tapQueueUrl = await queueUrl(RESOURCES.tapQueue);
      await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arnOf(RESOURCES.tapQueue) }),
      );
    } else {
      await unsubscribeAll(sns, topicArn, arnOf(RESOURCES.tapQueue));
    }
    // Through the S3 API, as a deployment configures it; S3 answers with an s3:TestEvent.
    for (const bucket of buckets) {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                Id: 'metadata-pipeline',
                QueueArn: arnOf(RESOURCES.ingestQueue),
                Events: [...SUBSCRIBED_EVENT_TYPES.always, ...SUBSCRIBED_EVENT_TYPES.removals],
              },
            ],
          },
        }),
      );
    }

    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${RESOURCES.stateMachine}`;
    const handlers = loadHandlers({
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL: pipelineEndpoint,
      TABLE_NAME: RESOURCES.tableName,
      TOPIC_ARN: topicArn,
      STATE_MACHINE_ARN: stateMachineArn,
      WATCHED_BUCKETS: buckets.join(','),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    // Every invocation is timed (what Lambda would bill), then faults apply as configured.
    const wrap = (name: FunctionName, handler: LambdaHandler): LambdaHandler => {
      const faulty = injector.wrapFunction(name, handler);
      return async (event) => {
        const started = performance.now();
        try {
          return await faulty(event);
        } finally {
          const entry = invocations.get(name) ?? { count: 0, totalMs: 0 };
          entry.count += 1;
          entry.totalMs += performance.now() - started;
          invocations.set(name, entry);
        }
      };
    };
    const functionArn = (name: StepName) =>
      `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:s3-metadata-${name}`;
    const definition = loadDefinition<StateMachineDefinition>(functionArn);
    stepFunctions = new StepFunctionsService({
      store,
      region: REGION,
      account: ACCOUNT_ID,
      stateMachineName: RESOURCES.stateMachine,
      definition,
      functions: Object.fromEntries(
        WORKFLOW_STEPS.map(({ folder }) => [functionArn(folder), wrap(folder, handlers[folder])]),
      ),
      retryIntervalScale: options.retryIntervalScale ?? 1,
    });
    const service = stepFunctions;
    cleanups.push(() => service.stop());
    const page = new ConsoleServer({
      store,
      stepFunctions: service,
      definition: definition as unknown as AslDefinition,
      s3,
      sqs,
      dynamo,
      notifications: notificationLog,
      resources: {
        buckets,
        tableName: RESOURCES.tableName,
        ingestQueueUrl,
        deadLetterQueueUrl,
        stateMachineArn,
      },
      mailDir: snsSubscribers.mailDir,
      snsTrace: (listener) => snsSubscribers.onTrace(listener),
    });
    consoleServer = page;
    cleanups.push(() => page.stop());
    // EventBridge's part: a failed, timed-out or aborted execution's status change event goes to
    // publish-notification, which tells subscribers (the stack's ExecutionFailures rule).
    service.onExecutionEvent(
      forwardFailures(wrap('publish-notification', handlers['publish-notification']), {
        region: REGION,
        account: ACCOUNT_ID,
        log,
      }),
    );
    const resumedExecutions = service.resume();

    // The event source mapping reads the queue from inside "AWS": straight from fauxqs.
    const internalSqs = new SQSClient({
      endpoint: fauxqs.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const eventSource = new SqsEventSource({
      sqs: internalSqs,
      queueUrl: `${fauxqs.endpoint}/${ACCOUNT_ID}/${RESOURCES.ingestQueue}`,
      queueArn: arnOf(RESOURCES.ingestQueue),
      region: REGION,
      handler: wrap('starter', handlers.starter) as SqsHandler,
      batchSize: 10,
      concurrency: 4,
      onError: (error) =>
        log(`starter invocation failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    eventSource.start();
    cleanups.push(() => eventSource.stop());

    return {
      endpoint,
      region: REGION,
      dataDir,
      persistent,
      resources: {
        bucket: buckets[0] ?? RESOURCES.bucket,
        buckets,
        tableName: RESOURCES.tableName,
        topicArn,
        ingestQueueUrl,
        deadLetterQueueUrl,
        tapQueueUrl,
        stateMachineArn,
      },
      stepFunctions: service,
      resumedExecutions,
      faultCounts: injector.counts,
      sns: snsSubscribers,
      consoleUrl: `${endpoint}/_console/`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Removes every subscription of `endpoint` to `topicArn` (one page is all a local topic has). */
async function unsubscribeAll(sns: SNSClient, topicArn: string, endpoint: string): Promise<void> {
  const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  for (const subscription of Subscriptions) {
    if (subscription.Endpoint === endpoint && subscription.SubscriptionArn) {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn }));
    }
  }
}

/** An emulator that dies while the runtime runs is reported, not silently missed. */
function watchEmulator(emulator: Emulator, log: (line: string) => void): void {
  emulator.process.child.once('exit', (code, signal) => {
    // Ctrl-C in a terminal signals the emulators along with the runtime, and they may exit just before
    // the runtime starts stopping them: an exit is reported only if no stop follows shortly.
    setTimeout(() => {
      if (emulator.process.stopping) return;
      log(
        `${emulator.process.name} stopped unexpectedly (${signal ?? `code ${code}`}):\n  ${emulator.process.output.slice(-5).join('\n  ')}`,
      );
    }, 500).unref();
  });
}

/**
 * Claims a data directory for this runtime: two runtimes on one directory
 * would share DynamoDB Local's files, the SQLite store and the SNS signing
 * port, and corrupt each other. The claim is a file holding the process id;
 * one left by a runtime that died (SIGKILL) is taken over.
 * @returns what releases the claim.
 * @throws Error naming the directory and the process that holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'runtime.pid');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The data directory ${dataDir} is in use by another runtime (process ${holder}); stop it, or give another --data-dir`,
      );
    }
    writeFileSync(file, String(process.pid));
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone (a temporary directory removed with everything in it).
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
