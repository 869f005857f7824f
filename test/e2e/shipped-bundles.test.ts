import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '../../bench/cold-start';
import { functionBundling } from '../../cdk/function-bundling';
import { executionName } from '../../functions/core/execution-name';
import { DEFAULT_TABLE_NAME, METRIC_NAMESPACE, SERVICE_NAME } from '../../functions/core/names';
import { FUNCTION_NAMES } from '../../statemachine/steps';
import { clientsFor } from '../support/aws-clients';
import { objectDescription, objectEvent, sqsEventOf } from '../support/fixtures';
import { eventually } from '../support/runtime-process';
import { subscribe } from '../support/subscriber';
import { e2eEndpoint } from './support/endpoint';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const endpoint = e2eEndpoint();
const clients = clientsFor(endpoint);
const { s3, sfn } = clients;
const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline';

/**
 * The functions as they ship: bundled with the stack's own options
 * (cdk/function-bundling.ts: the lockfile's AWS SDK, its ES module build,
 * tree-shaken), each loaded in a fresh Node process with the environment
 * Lambda gives it (credentials in AWS_ACCESS_KEY_ID...). The other suites run
 * the TypeScript sources on the SDK's CommonJS build; this one proves the
 * bundles behave the same against the runtime's services (S3, DynamoDB, SNS,
 * Step Functions).
 */
describe('the shipped bundles', () => {
  const out = mkdtempSync(join(tmpdir(), 'shipped-bundles-'));
  const bundleOf = (name: string) => join(out, `${name}.js`);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  beforeAll(async () => {
    const options = esbuildOptionsOf(functionBundling({ traceSdkCalls: false }));
    await Promise.all(
      FUNCTION_NAMES.map((name) =>
        build({
          ...options,
          entryPoints: [join(ROOT, 'functions', name, 'index.ts')],
          outfile: bundleOf(name),
          logLevel: 'silent',
        }),
      ),
    );
  }, 60_000);

  /** Runs `handler(event)` of a bundle in a fresh process, as a Lambda cold start would; its result. */
  async function invoke(name: string, event: unknown): Promise<unknown> {
    const script = `require(${JSON.stringify(bundleOf(name))}).handler(JSON.parse(process.argv[1])).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.name) + ': ' + String(e && e.message)); process.exit(1); })`;
    const { stdout } = await run(
      process.execPath,
      ['--enable-source-maps', '-e', script, JSON.stringify(event)],
      {
        cwd: out,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SESSION_TOKEN: 'test',
          AWS_ENDPOINT_URL: endpoint,
          TABLE_NAME: DEFAULT_TABLE_NAME,
          TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:s3-metadata-notifications',
          STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline',
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
      },
    );
    return JSON.parse(stdout);
  }

  it('each loads in a fresh process, outside node_modules, and exports its handler', async () => {
    for (const name of FUNCTION_NAMES) {
      const { stdout } = await run(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundleOf(name))}).handler)`],
        {
          cwd: out,
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            TABLE_NAME: DEFAULT_TABLE_NAME,
            TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:topic',
            STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine',
          },
        },
      );
      expect({ name, handler: stdout }).toEqual({ name, handler: 'function' });
    }
  });

  // HeadObject answers x-amz-tagging-count, the number of tags, when the object has any
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Response Syntax"); the SDK
  // exposes it as TagCount only in models that have the member, and describe-object reads tags when it is set.
  it('describe-object, bundled, reads the tags of a tagged object through HeadObject TagCount', async () => {
    const key = 'e2e-bundles/tagged photo.png';
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: key,
        Body: 'not really a photo',
        ContentType: 'image/png',
        Tagging: 'team=media&kind=photo',
      }),
    );
    const result = await invoke('describe-object', {
      object: objectEvent({
        bucket: 'uploads',
        key,
        size: 18,
        eTag: (put.ETag ?? '').replace(/"/g, ''),
        region: 'us-east-1',
      }),
    });
    expect(result).toMatchObject({
      exists: true,
      description: { contentType: 'image/png', size: 18, tags: { team: 'media', kind: 'photo' } },
    });
  }, 60_000);

  it('describe-object, bundled, reads no tags for an untagged object', async () => {
    const key = 'e2e-bundles/plain.txt';
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'plain', ContentType: 'text/plain' }),
    );
    const result = await invoke('describe-object', {
      object: objectEvent({
        bucket: 'uploads',
        key,
        size: 5,
        eTag: (put.ETag ?? '').replace(/"/g, ''),
        region: 'us-east-1',
      }),
    });
    expect(result).toMatchObject({ exists: true, description: { size: 5, tags: {} } });
  }, 60_000);

  // The other protocols' clients, bundled: DynamoDB (JSON 1.0) through the document client, SNS (query),
  // Step Functions (JSON 1.0).
  it('write-metadata and publish-notification, bundled, write the item and publish its notification', async () => {
    const notes = await subscribe(clients, 'e2e-bundles-notes');
    const object = objectEvent({
      bucket: 'uploads',
      key: 'e2e-bundles/written.csv',
      sequencer: '00A1B2C3D4',
    });
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:metadata-pipeline:${executionName(object)}`;
    const written = (await invoke('write-metadata', {
      object,
      executionArn,
      description: objectDescription(),
    })) as { written: boolean; item: Record<string, unknown> };
    expect(written).toMatchObject({ written: true });
    expect(await clients.item(object.key)).toMatchObject({
      ETag: objectDescription().eTag,
      ExecutionArn: executionArn,
    });
    await invoke('publish-notification', { kind: 'recorded', object, item: written.item, executionArn });
    const delivered = await eventually(
      async () => (await notes.drain()).find((note) => note.document.key === object.key),
      20_000,
      'the notification of e2e-bundles/written.csv',
    );
    expect(delivered.document).toMatchObject({ type: 'object.created', key: object.key });
  }, 60_000);

  it('the starter, bundled, starts the execution named after the event', async () => {
    const key = 'e2e-bundles/started.txt';
    const put = await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'started' }));
    const record = {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'uploads', arn: 'arn:aws:s3:::uploads' },
        object: {
          key: 'e2e-bundles/started.txt',
          size: 7,
          eTag: (put.ETag ?? '').replace(/"/g, ''),
          sequencer: 'FFFF0000000001',
        },
      },
    };
    const result = await invoke('starter', sqsEventOf(JSON.stringify({ Records: [record] })));
    expect(result).toEqual({ batchItemFailures: [] });
    const name = executionName({ bucket: 'uploads', key, sequencer: 'FFFF0000000001' });
    const described = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`,
      }),
    );
    expect(described.name).toBe(name);
  }, 60_000);
});
