import * as z from 'zod';

/**
 * The deployment's configuration: one schema, fed from `cdk.json`'s "context"
 * and from `-c key=value` flags (which win). Wrong configuration fails
 * `cdk synth` with every problem listed: the key, the value received, what is
 * allowed. docs/configuration.md is the reference.
 */

const BUCKET_NAME = /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const bucketSchema = z
  .object({
    name: z
      .string()
      .regex(BUCKET_NAME, 'expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens')
      .optional(),
    prefix: z.string().max(1024, 'expected at most 1,024 characters').optional(),
    suffix: z.string().max(1024, 'expected at most 1,024 characters').optional(),
  })
  .strict();

const emailSchema = z.email('expected an email address');

const webhookSchema = z
  .url('expected a URL')
  .refine(
    (url) => url.startsWith('https://'),
    'expected an https:// URL (SNS delivers webhooks over TLS only here)',
  );

/** What a deployment can be told. Every key is optional; the defaults make a working pipeline. */
export const configSchema = z
  .object({
    /**
     * The buckets to watch. An entry without `name` is a new bucket created by
     * the stack; entries with `name` are existing buckets. Each may narrow the
     * events with a key `prefix` and `suffix`.
     */
    buckets: z
      .array(bucketSchema)
      .min(1, 'expected at least one bucket')
      .default([{}])
      .refine((buckets) => buckets.filter((bucket) => bucket.name === undefined).length <= 1, {
        message: 'expected at most one new bucket (an entry without "name")',
      })
      .refine(
        (buckets) => {
          const names = buckets.flatMap((bucket) => (bucket.name === undefined ? [] : [bucket.name]));
          return new Set(names).size === names.length;
        },
        { message: 'expected each bucket name once' },
      ),
    /** Email addresses subscribed to the notifications (each confirms by email). */
    notificationEmails: z.array(emailSchema).default([]),
    /** HTTPS endpoints subscribed to the notifications (SNS's signed envelope unless webhookRawDelivery). */
    webhookUrls: z.array(webhookSchema).default([]),
    /** Raw delivery to the webhooks: the bare JSON document, unsigned. */
    webhookRawDelivery: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')], {
        error: 'expected true or false',
      })
      .default(false),
    /**
     * The metadata table's name. Unset, CloudFormation generates one: a fixed
     * name on a retained table makes a redeploy after `cdk destroy`, or a
     * second stack in the account, fail with "already exists".
     */
    tableName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected 3-255 letters, digits, "_", "-" or "."')
      .optional(),
    /** Customer managed KMS keys encrypting the watched buckets' objects: the readers get kms:Decrypt on them. */
    kmsKeyArns: z
      .array(
        z
          .string()
          .regex(
            /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
            'expected a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (an alias ARN does not grant kms:Decrypt)',
          ),
      )
      .default([]),
    /** STANDARD: full execution history in the console. EXPRESS: cheaper at volume, history in CloudWatch Logs only. */
    workflowType: z.enum(['STANDARD', 'EXPRESS']).default('STANDARD'),
    /** tombstone: ObjectRemoved events mark the item deleted. ignore: deletes are not subscribed. */
    deleteBehaviour: z.enum(['tombstone', 'ignore']).default('tombstone'),
    /** Log level of the Lambda functions (Powertools). */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** Level of the state machine's CloudWatch Logs. Default: ERROR for STANDARD, ALL for EXPRESS. */
    workflowLogLevel: z.enum(['ALL', 'ERROR', 'FATAL', 'OFF']).optional(),
    /** What `cdk destroy` does to the table, bucket and logs. */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    /** Where alarms are sent (an operations address, confirmed by email). */
    alarmEmail: emailSchema.optional(),
    /**
     * AWS Control Tower proactive controls (Guard rules run at synth):
     * `default` acknowledges each rule the stack does not meet, with the
     * reason; `strict` meets them all (KMS-encrypted logs kept a year,
     * functions in vpcSubnetIds, a KMS-encrypted, versioned, object-locked
     * uploads bucket with lifecycle rules logging to accessLogsBucketName).
     */
    compliance: z.enum(['default', 'strict']).default('default'),
    /** The VPC of vpcSubnetIds. */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id (vpc-...)')
      .optional(),
    /** Private subnets to run the functions in (required by compliance: strict). */
    vpcSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id (subnet-...)'))
      .optional(),
    /** The route table of each subnet, in the same order: the S3 and DynamoDB gateway endpoints go on them. */
    vpcRouteTableIds: z
      .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, 'expected a route table id (rtb-...)'))
      .optional(),
    /** create: the stack adds the VPC endpoints the functions need. existing: the VPC already reaches S3, DynamoDB, SNS, Step Functions and X-Ray. */
    vpcEndpoints: z.enum(['create', 'existing']).default('create'),
    /** An existing bucket that receives the uploads bucket's access logs (required by compliance: strict). */
    accessLogsBucketName: z
      .string()
      .regex(BUCKET_NAME, 'expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens')
      .optional(),
    /** Record every AWS SDK call as an X-Ray subsegment (about 50 ms more per cold start). */
    traceSdkCalls: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')], {
        error: 'expected true or false',
      })
      .default(false),
  })
  .strict()
  .superRefine((config, context) => {
    const problem = (path: string, message: string, input?: unknown) =>
      context.addIssue({ code: 'custom', path: [path], message, input });
    if (config.vpcSubnetIds !== undefined && config.vpcId === undefined)
      problem('vpcId', 'expected the VPC of vpcSubnetIds');
    if (config.vpcId !== undefined && (config.vpcSubnetIds ?? []).length === 0)
      problem('vpcSubnetIds', 'expected the subnets of vpcId to run the functions in');
    if (
      config.vpcSubnetIds !== undefined &&
      config.vpcEndpoints === 'create' &&
      config.vpcRouteTableIds?.length !== config.vpcSubnetIds.length
    ) {
      problem(
        'vpcRouteTableIds',
        `expected one route table per subnet (${config.vpcSubnetIds.length}), for the S3 and DynamoDB gateway endpoints; or vpcEndpoints: "existing"`,
        config.vpcRouteTableIds,
      );
    }
    if (config.compliance === 'strict') {
      if (config.vpcSubnetIds === undefined)
        problem(
          'vpcSubnetIds',
          'compliance "strict" runs the functions in a VPC (CT.LAMBDA.PR.3): expected subnet ids',
        );
      if (
        config.accessLogsBucketName === undefined &&
        config.buckets.some((bucket) => bucket.name === undefined)
      )
        problem(
          'accessLogsBucketName',
          'compliance "strict" logs the new uploads bucket to an existing bucket: S3 access-log target buckets accept only SSE-S3, which CT.S3.PR.10 forbids in this template',
        );
    }
  });

export type PipelineConfig = z.output<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof PipelineConfig)[];

/** Keys whose values are lists; on the command line they may be JSON or comma-separated. */
const LIST_KEYS = new Set<string>([
  'buckets',
  'notificationEmails',
  'webhookUrls',
  'kmsKeyArns',
  'vpcSubnetIds',
  'vpcRouteTableIds',
]);

/** A configuration that cannot be used; the message lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * `-c key=value` values are strings: a list may be given as JSON
 * (`-c buckets='[{"name":"b"}]'`) or comma-separated (`-c notificationEmails=a@x.com,b@y.com`).
 */
function coerce(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !LIST_KEYS.has(key)) return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return value; // reported by the schema with the value received
    }
  }
  if (key === 'buckets') return text.split(',').map((name) => ({ name: name.trim() }));
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** A context key that is almost one of ours is a typo: `-c tablename=x` must not be ignored silently. */
function typoOf(key: string): string | undefined {
  if (CONFIG_KEYS.includes(key as keyof PipelineConfig)) return undefined;
  return CONFIG_KEYS.find((known) => levenshtein(known.toLowerCase(), key.toLowerCase()) <= 2);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/**
 * Reads and validates the configuration.
 * @param context every context value (cdk.json's and `-c` flags), e.g. `app.node.getAllContext()`.
 * @throws ConfigError listing every problem: key, value received, what is allowed.
 */
export function parseConfig(context: Readonly<Record<string, unknown>>): PipelineConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (CONFIG_KEYS.includes(key as keyof PipelineConfig)) raw[key] = coerce(key, value);
    const typo = typoOf(key);
    if (typo !== undefined)
      problems.push(`${key}: unknown key (received ${JSON.stringify(value)}); did you mean "${typo}"?`);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const received =
        'input' in issue && issue.input !== undefined ? ` (received ${JSON.stringify(issue.input)})` : '';
      problems.push(`${formatPath(issue.path) || '(configuration)'}: ${issue.message}${received}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid configuration (cdk.json "context" or -c key=value), ${problems.length} problem(s):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nSee docs/configuration.md for every key and its allowed values.',
    );
  }
  return result.data as PipelineConfig;
}
