import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { ConfigError, parseConfig } from '../../cdk/config';
import { bucketNameSchema, readFlags } from '../cli';
import { findOverlaps, type NotificationRule, plannedRules, rulesOf } from './overlap';

const HELP = `Before deploying onto an existing bucket: reads its event notification configuration
and reports the rules that would overlap the pipeline's (S3 refuses overlapping rules, and
the deploy rolls back with "Configurations overlap").

Usage: npm run preflight -- --bucket NAME [options]

Options:
  --bucket NAME          the existing bucket (required); its prefix and suffix come from
                         cdk.json's "buckets" entry of that name
  --prefix PREFIX        the key prefix to check instead
  --suffix SUFFIX        the key suffix to check instead
  --endpoint-url URL     an S3 endpoint (e.g. the local runtime's); otherwise the standard
                         AWS settings and credentials (profile, environment, SSO...)
  --region REGION        otherwise AWS_REGION
  --help                 this text

Exit status: 0 when nothing overlaps, 1 when some rule does, 2 on a usage error.
`;

const flagsSchema = z.object({
  bucket: bucketNameSchema,
  prefix: z.string().max(1024).optional(),
  suffix: z.string().max(1024).optional(),
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
  suffix: { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean' },
} as const;

function fail(message: string): never {
  process.stderr.write(`Error: ${message}\nRun "npm run preflight -- --help" for the options.\n`);
  process.exit(2);
}

/** The configuration a deploy from this directory would use: cdk.json's context. */
function deployedConfiguration() {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  try {
    return parseConfig(cdkJson.context ?? {});
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function describeRule(rule: NotificationRule): string {
  const filter = [rule.prefix ? `prefix "${rule.prefix}"` : '', rule.suffix ? `suffix "${rule.suffix}"` : '']
    .filter(Boolean)
    .join(', ');
  return `${rule.id ? `"${rule.id}" ` : ''}${rule.events.join(', ')} ${filter ? `(${filter})` : '(every key)'} -> ${rule.destination}`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const flags = readFlags(FLAG_OPTIONS, flagsSchema, fail);
  const config = deployedConfiguration();
  const entry = config.buckets.find((bucket) => bucket.name === flags.bucket);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (entry === undefined) {
    write(
      `Note: cdk.json's "buckets" does not name ${flags.bucket}: a deploy would not watch it. Add it there (configuration passed with -c is not kept for the next deploy).`,
    );
  }
  const prefix = flags.prefix ?? entry?.prefix;
  const suffix = flags.suffix ?? entry?.suffix;
  const planned = plannedRules({
    ...(prefix ? { prefix } : {}),
    ...(suffix ? { suffix } : {}),
    recordDeletes: config.deleteBehaviour === 'tombstone',
  });

  const endpoint = flags['endpoint-url'];
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const s3 = new S3Client({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
  const configuration = await s3.send(
    new GetBucketNotificationConfigurationCommand({ Bucket: flags.bucket }),
  );
  const existing = rulesOf(configuration);
  // This pipeline's own rules from an earlier deploy are replaced by the next one, not added to.
  const own = existing.filter((rule) => /IngestQueue/.test(rule.destination));
  const others = existing.filter((rule) => !own.includes(rule));
  write(
    `s3://${flags.bucket}: ${existing.length} notification rule(s), ${own.length} of them this pipeline's own.`,
  );
  for (const rule of planned) write(`  the deploy adds: ${describeRule(rule)}`);
  const overlaps = findOverlaps(others, planned);
  if (overlaps.length === 0) {
    write('No overlap: the deploy can add its rules.');
    return;
  }
  write(`${overlaps.length} overlap(s): S3 would refuse the configuration and the deploy would roll back.`);
  for (const overlap of overlaps) {
    write(`  existing ${describeRule(overlap.existing)}`);
    write(`    overlaps ${describeRule(overlap.planned)} on ${overlap.events.join(', ')}`);
  }
  write(
    'Fix: give the pipeline a prefix/suffix that no existing rule overlaps (cdk.json "buckets"), or move the other consumer to EventBridge or to the pipeline\'s notifications (docs/operations.md, "Before deploying onto an existing bucket").',
  );
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
