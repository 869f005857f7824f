import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { bucketNameSchema, readFlags } from '../tools/cli';
import { runDemo } from './demo';
import { anyFaults, FaultSpecError, parseFaults } from './faults';
import { startRuntime } from './runtime';
import { NotificationTap, traceExecutions } from './trace';

const HELP = `s3-metadata-pipeline local runtime: the whole pipeline on this machine, no AWS account.

Usage: npm start -- [options]        (or: npm run demo)

Options:
  --port N                 edge endpoint port (default 4566; 0 = any free port)
  --data-dir DIR           keep all state in DIR across restarts (default: temporary, removed on exit)
  --demo                   upload sample files, print their records and notifications, exit
  --visibility-timeout N   seconds before a failed ingest message is retried (default 5)
  --retry-scale X          multiply the workflow's retry intervals by X, 0 < X <= 1 (default 1)
  --sns-delay-scale X      multiply SNS's HTTP/S retry waits and answer timeout (min 1 s) by X, 0 < X <= 1
  --log-level LEVEL        handler log level: DEBUG, INFO, WARN, ERROR (default WARN)
  --bucket NAME            a bucket to create and watch (repeatable; default: uploads)
  --faults SPEC            inject faults into the pipeline's calls (or S3MP_FAULTS), e.g.
                           throttle=0.2,transient=0.1,crash-after-write=0.05,deny=restricted/
  --faults-seed N          make fault decisions repeatable (or S3MP_FAULTS_SEED; default 0)
  --quiet                  no live trace (and no tap queue subscribed to the topic for it)
  --help                   this text
`;

/** A flag that must be a whole number in a range; the message shows the text received. */
const integer = (min: number, max: number) =>
  z
    .string()
    .refine(
      (text) => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max,
      `expected a whole number from ${min} to ${max}`,
    )
    .transform(Number);

/** A factor that shortens waits: above 0, at most 1. */
const scale = () =>
  z
    .string()
    .refine(
      (text) => /^\d*\.?\d+$/.test(text) && Number(text) > 0 && Number(text) <= 1,
      'expected a number above 0, at most 1',
    )
    .transform(Number)
    .default(1);

const flagsSchema = z.object({
  port: integer(0, 65535).default(4566),
  'data-dir': z.string().min(1).optional(),
  demo: z.boolean().default(false),
  'visibility-timeout': integer(0, 43200).default(5),
  'retry-scale': scale(),
  'sns-delay-scale': scale(),
  'log-level': z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  bucket: z.array(bucketNameSchema).default(['uploads']),
  faults: z.string().optional(),
  'faults-seed': z.string().optional(),
  quiet: z.boolean().default(false),
  help: z.boolean().default(false),
});

function fail(message: string): never {
  process.stderr.write(`Error: ${message}\nRun "npm start -- --help" for the options.\n`);
  process.exit(2);
}

const FLAG_OPTIONS = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  demo: { type: 'boolean' },
  'visibility-timeout': { type: 'string' },
  'retry-scale': { type: 'string' },
  'sns-delay-scale': { type: 'string' },
  'log-level': { type: 'string' },
  bucket: { type: 'string', multiple: true },
  faults: { type: 'string' },
  'faults-seed': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

async function main(): Promise<void> {
  const flags = readFlags(FLAG_OPTIONS, flagsSchema, fail);
  if (flags.help) {
    process.stdout.write(HELP);
    return;
  }
  let faults: ReturnType<typeof parseFaults>;
  try {
    faults = parseFaults(
      flags.faults ?? process.env.S3MP_FAULTS,
      flags['faults-seed'] ?? process.env.S3MP_FAULTS_SEED,
    );
  } catch (error) {
    if (error instanceof FaultSpecError) fail(error.message);
    throw error;
  }
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  const runtime = await startRuntime({
    port: flags.port,
    ...(flags['data-dir'] ? { dataDir: flags['data-dir'] } : {}),
    visibilityTimeoutSeconds: flags['visibility-timeout'],
    retryIntervalScale: flags['retry-scale'],
    snsDelayScale: flags['sns-delay-scale'],
    logLevel: flags['log-level'],
    buckets: flags.bucket,
    faults,
    // The tap is for the eyes (the live trace) and the demo; --quiet alone needs neither.
    notificationTap: !flags.quiet || flags.demo,
    log: (line) => write(`  ${line}`),
  });
  const tapQueueUrl = runtime.resources.tapQueueUrl;
  const tap =
    tapQueueUrl === undefined
      ? undefined
      : new NotificationTap(
          new SQSClient({
            endpoint: runtime.endpoint,
            region: runtime.region,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }),
          tapQueueUrl,
          flags.quiet ? () => undefined : write,
          flags.demo,
        );
  const stopTrace = flags.quiet ? () => undefined : traceExecutions(runtime.stepFunctions, write);
  const stopSnsTrace = flags.quiet ? () => undefined : runtime.sns.onTrace(write);
  tap?.start();

  let stopping: Promise<void> | undefined;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      stopTrace();
      stopSnsTrace();
      await tap?.stop();
      await runtime.stop();
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => {
    if (stopping) process.exit(130); // a second Ctrl-C: stop now
    write('\nStopping...');
    void shutdown(0);
  });
  process.on('SIGTERM', () => void shutdown(0));
  // `npm start` runs this under wrappers (npm, tsx). If the wrapper is killed
  // outright, nothing tells this process: notice being orphaned and stop, so
  // no emulator is left holding a port.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      write('\nThe process that started the runtime is gone: stopping.');
      void shutdown(0);
    }
  }, 1000).unref();

  const e = runtime.endpoint;
  write(`
s3-metadata-pipeline local runtime (started in ${((Date.now() - started) / 1000).toFixed(1)} s)
  endpoint        ${e}   S3, SQS, SNS, DynamoDB, Step Functions (route by SigV4 scope)
  console         ${runtime.consoleUrl}   executions, graph, items, notifications (in a browser)
  buckets         ${runtime.resources.buckets.join(', ')}   (object events -> ingest queue)
  table           ${runtime.resources.tableName}
  topic           ${runtime.resources.topicArn}
  state machine   ${runtime.resources.stateMachineArn}
  dead letters    ${runtime.resources.deadLetterQueueUrl}
  sns links       ${runtime.sns.baseUrl}   SigningCertURL, SubscribeURL, UnsubscribeURL (HTTPS)
  sns CA          ${runtime.sns.caFile}   (NODE_EXTRA_CA_CERTS of a webhook that verifies signatures)
  mail            ${runtime.sns.mailDir}   (email and email-json subscriptions: one .eml per message)
  data            ${runtime.dataDir} ${runtime.persistent ? '(kept)' : '(temporary)'}${anyFaults(faults) ? `\n  faults          ${flags.faults ?? process.env.S3MP_FAULTS} (seed ${faults.seed}): injected into the pipeline's own calls` : ''}${runtime.resumedExecutions > 0 ? `\n  resumed         ${runtime.resumedExecutions} execution(s) left running by the last stop` : ''}

Try it (Debian's AWS CLI is /usr/bin/aws; any credentials work, but give some, and a region):
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${runtime.region}
  aws --endpoint-url ${e} s3 cp FILE s3://${runtime.resources.bucket}/
  aws --endpoint-url ${e} dynamodb scan --table-name ${runtime.resources.tableName}
  aws --endpoint-url ${e} stepfunctions list-executions --state-machine-arn ${runtime.resources.stateMachineArn}
  aws --endpoint-url ${e} sns subscribe --topic-arn ${runtime.resources.topicArn} --protocol http --notification-endpoint http://127.0.0.1:8080/

Ready: ${e} (Ctrl-C stops everything)
`);

  if (flags.demo && tap !== undefined) {
    const ok = await runDemo(runtime, tap, write).catch((error: unknown) => {
      write(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    });
    await shutdown(ok ? 0 : 1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
