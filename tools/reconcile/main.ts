import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { bucketNameSchema, readFlags } from '../cli';
import { type Gap, reconcile } from './reconcile';

const HELP = `Compares a bucket with the metadata table and reports (or repairs) what does not match.

Usage: npm run reconcile -- --bucket NAME [options]

Options:
  --bucket NAME              the bucket to check (required)
  --prefix PREFIX            only keys under this prefix
  --table NAME               the metadata table (default S3FileMetadata)
  --fix                      start the normal workflow for each gap
  --state-machine-arn ARN    the pipeline's state machine (needed by --fix; default for a
                             local endpoint: the local runtime's)
  --endpoint-url URL         one endpoint for S3, DynamoDB and Step Functions (e.g. the local
                             runtime's); otherwise the standard AWS settings (AWS_ENDPOINT_URL...)
  --region REGION            otherwise AWS_REGION (default us-east-1 with --endpoint-url)
  --help                     this text

Exit status: 0 when nothing is missing, or --fix handed every gap to the workflow
(or found its repair already running); 1 when gaps were found without --fix, or
--fix gave up on some (earlier repairs ended without closing them: read their
execution histories); 2 on a usage error.
`;

const LOCAL_STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline';

const flagsSchema = z.object({
  bucket: bucketNameSchema,
  prefix: z.string().optional(),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a table name: 3-255 letters, digits, "_", "-" or "."')
    .default('S3FileMetadata'),
  fix: z.boolean().default(false),
  'state-machine-arn': z
    .string()
    .regex(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/,
      'expected a state machine ARN',
    )
    .optional(),
  'endpoint-url': z.url('expected a URL').optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a region such as us-east-1')
    .optional(),
  help: z.boolean().default(false),
});

const FLAG_OPTIONS = {
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  table: { type: 'string' },
  fix: { type: 'boolean' },
  'state-machine-arn': { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean' },
} as const;

function fail(message: string): never {
  process.stderr.write(`Error: ${message}\nRun "npm run reconcile -- --help" for the options.\n`);
  process.exit(2);
}

function describe(gap: Gap): string {
  const short = (eTag?: string) => (eTag ?? '-').slice(0, 12);
  switch (gap.kind) {
    case 'missing':
      return `missing   ${gap.key}  object ${gap.object.size} B etag ${short(gap.object.eTag)}, ${gap.item ? 'item says deleted' : 'no item'}`;
    case 'mismatch':
      return `mismatch  ${gap.key}  object ${gap.object.size} B etag ${short(gap.object.eTag)}, item ${gap.item.size ?? '?'} B etag ${short(gap.item.eTag)}`;
    case 'orphan':
      return `orphan    ${gap.key}  item present, object gone`;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const flags = readFlags(FLAG_OPTIONS, flagsSchema, fail);
  const endpoint = flags['endpoint-url'];
  const local = endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?/.test(endpoint);
  const stateMachineArn =
    flags['state-machine-arn'] ?? process.env.STATE_MACHINE_ARN ?? (local ? LOCAL_STATE_MACHINE : undefined);
  if (flags.fix && stateMachineArn === undefined)
    fail('--fix needs --state-machine-arn (the stack output StateMachineArn)');
  const region =
    flags.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (endpoint ? 'us-east-1' : undefined);
  if (region === undefined) fail('no region: give --region or set AWS_REGION');
  const config = {
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };

  const write = (line: string) => process.stdout.write(`${line}\n`);
  write(
    `Reconciling s3://${flags.bucket}/${flags.prefix ?? ''} with table ${flags.table}${flags.fix ? ' (fixing)' : ''}`,
  );
  const summary = await reconcile(
    {
      bucket: flags.bucket,
      ...(flags.prefix ? { prefix: flags.prefix } : {}),
      tableName: flags.table,
      fix: flags.fix,
      ...(stateMachineArn ? { stateMachineArn } : {}),
      onGap: (gap) => write(`  ${describe(gap)}`),
      onFix: (_gap, result) =>
        write(
          result.started ? `    -> started ${result.executionName}` : `    -> not started: ${result.reason}`,
        ),
    },
    {
      s3: new S3Client({ ...config, ...(endpoint ? { forcePathStyle: true } : {}) }),
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
      sfn: new SFNClient(config),
    },
  );
  const gaps = summary.missing + summary.mismatch + summary.orphan;
  write(
    `Checked ${summary.objects} objects and ${summary.items} items: ${summary.missing} missing, ${summary.mismatch} mismatched, ${summary.orphan} orphaned.`,
  );
  if (gaps === 0) return;
  if (!flags.fix) {
    write('Run again with --fix to start the workflow for each of them.');
    process.exitCode = 1;
    return;
  }
  write(`Started ${summary.started} execution(s); ${summary.skipped} not needed or already started.`);
  if (summary.gaveUp > 0) {
    write(`Gave up on ${summary.gaveUp} gap(s): earlier repairs ended without closing them.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
  );
  process.exit(1);
});
