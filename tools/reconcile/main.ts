import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { bucketNameSchema, readFlags } from '../cli';
import { findStateMachine, type Gap, reconcile } from './reconcile';

const HELP = `Compares a bucket with the metadata table and reports (or repairs) what does not match:
objects with no item or a tombstone (missing), items whose ETag, size or version is not the current
object's (mismatch), present items of keys that have no current version (orphan) and, with --tags,
items whose tags are not the object's (tags). A versioned bucket is compared on its current versions,
listed with ListObjectVersions (whose pages also carry the old versions and delete markers).

Usage: npm run reconcile -- --bucket NAME [options]

Options:
  --bucket NAME              the bucket to check (required)
  --prefix PREFIX            only keys under this prefix
  --table NAME               the metadata table (default S3FileMetadata)
  --tags                     also compare tags: one GetObjectTagging request per object whose item
                             otherwise matches (the listing costs one request per 1,000 objects)
  --fix                      start the normal workflow for each gap; running it again starts
                             nothing for a gap whose repair is running or has closed it
  --state-machine-arn ARN    the pipeline's state machine, needed by --fix (or STATE_MACHINE_ARN);
                             against the local runtime, found by itself when it has exactly one
  --endpoint-url URL         one endpoint for S3, DynamoDB and Step Functions (e.g. the local
                             runtime's); otherwise the standard AWS settings (AWS_ENDPOINT_URL...)
  --region REGION            otherwise AWS_REGION (default us-east-1 with --endpoint-url)
  --help                     this text

Exit status:
  0  nothing is missing, or --fix handed every gap to the workflow (or found its repair running)
  1  gaps were found without --fix; or --fix gave up on some (earlier repairs ended without
     closing them: read their execution histories); or a request failed
  2  a usage error: an unknown or invalid option, or --fix without a state machine to start
`;

const flagsSchema = z.object({
  bucket: bucketNameSchema,
  prefix: z.string().optional(),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a table name: 3-255 letters, digits, "_", "-" or "."')
    .default('S3FileMetadata'),
  tags: z.boolean().default(false),
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
  tags: { type: 'boolean' },
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

const short = (eTag?: string) => (eTag ?? '-').slice(0, 12);
const version = (versionId?: string) => (versionId === undefined ? '' : ` version ${versionId}`);
const tagList = (tags: Record<string, string>) =>
  Object.keys(tags).length === 0
    ? 'none'
    : Object.entries(tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');

function describe(gap: Gap): string {
  switch (gap.kind) {
    case 'missing':
      return `missing   ${gap.key}  object ${gap.object.size} B etag ${short(gap.object.eTag)}${version(gap.object.versionId)}, ${gap.item ? 'item says deleted' : 'no item'}`;
    case 'mismatch':
      return `mismatch  ${gap.key}  object ${gap.object.size} B etag ${short(gap.object.eTag)}${version(gap.object.versionId)}, item ${gap.item.size ?? '?'} B etag ${short(gap.item.eTag)}${gap.object.versionId === undefined ? '' : version(gap.item.versionId ?? 'null')}`;
    case 'orphan':
      return `orphan    ${gap.key}  item present, no current object`;
    case 'tags':
      return `tags      ${gap.key}  object tags ${tagList(gap.tags)}, item tags ${tagList(gap.item.tags ?? {})}`;
  }
}

/** Whether an endpoint is this machine's (the local runtime): a loopback address. */
function isLocal(endpoint: string | undefined): boolean {
  return (
    endpoint !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(endpoint)
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const flags = readFlags(FLAG_OPTIONS, flagsSchema, fail);
  const endpoint = flags['endpoint-url'];
  const local = isLocal(endpoint);
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
  const sfn = new SFNClient(config);

  let stateMachineArn = flags['state-machine-arn'] ?? process.env.STATE_MACHINE_ARN;
  if (flags.fix && stateMachineArn === undefined) {
    if (!local) fail('--fix needs --state-machine-arn (the stack output StateMachineArn)');
    const found = await findStateMachine(sfn);
    if (found.arn === undefined) fail(`--fix needs --state-machine-arn: ${found.reason} at ${endpoint}`);
    stateMachineArn = found.arn;
  }

  const write = (line: string) => process.stdout.write(`${line}\n`);
  write(
    `Reconciling s3://${flags.bucket}/${flags.prefix ?? ''} with table ${flags.table}${flags.tags ? ', tags included' : ''}${flags.fix ? ` (fixing through ${stateMachineArn})` : ''}`,
  );
  const summary = await reconcile(
    {
      bucket: flags.bucket,
      ...(flags.prefix ? { prefix: flags.prefix } : {}),
      tableName: flags.table,
      tags: flags.tags,
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
      sfn,
    },
  );
  const gaps = summary.missing + summary.mismatch + summary.orphan + summary.tags;
  write(
    `Checked ${summary.objects} ${summary.versioned ? 'current versions' : 'objects'} and ${summary.items} items: ${summary.missing} missing, ${summary.mismatch} mismatched, ${summary.orphan} orphaned${flags.tags ? `, ${summary.tags} with other tags` : ''}.`,
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
    `Error: ${error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)}\n`,
  );
  process.exit(1);
});
