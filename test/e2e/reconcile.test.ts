import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { padSequencer } from '../../functions/core/sequencer';
import { clientsFor } from '../support/aws-clients';
import { runCli } from '../support/run-cli';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

const endpoint = e2eEndpoint();
const clients = clientsFor(endpoint);
const PREFIX = 'e2e-reconcile/';
const reconcile = (...extra: string[]) =>
  runCli('tools/reconcile/main.ts', [
    '--endpoint-url',
    endpoint,
    '--bucket',
    'uploads',
    '--prefix',
    PREFIX,
    ...extra,
  ]);

describe('npm run reconcile', () => {
  it('reports the gaps, repairs them through the workflow with --fix, and finds nothing the second time', async () => {
    const etags = new Map<string, string>();
    for (const name of ['lost.txt', 'stale.txt', 'fine.txt', 'gone.txt']) {
      const put = await clients.s3.send(
        new PutObjectCommand({ Bucket: 'uploads', Key: `${PREFIX}${name}`, Body: `content of ${name}` }),
      );
      etags.set(name, (put.ETag ?? '').replace(/"/g, ''));
    }
    for (const [name, eTag] of etags) {
      await eventually(
        async () => ((await clients.item(`${PREFIX}${name}`))?.ETag === eTag ? true : undefined),
        30_000,
        `${name} recorded`,
      );
    }
    // A lost item, a stale item, and an item whose object vanished without an event.
    await clients.dynamo.send(
      new DeleteCommand({
        TableName: 'S3FileMetadata',
        Key: { BucketName: 'uploads', ObjectKey: `${PREFIX}lost.txt` },
      }),
    );
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: 'S3FileMetadata',
        Key: { BucketName: 'uploads', ObjectKey: `${PREFIX}stale.txt` },
        UpdateExpression: 'SET ETag = :e',
        ExpressionAttributeValues: { ':e': 'stale' },
      }),
    );
    const gone = await clients.item(`${PREFIX}gone.txt`);
    await clients.s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: `${PREFIX}gone.txt` }));
    await eventually(
      async () => ((await clients.item(`${PREFIX}gone.txt`))?.Status === 'deleted' ? true : undefined),
      30_000,
      'the tombstone',
    );
    await clients.dynamo.send(
      new PutCommand({ TableName: 'S3FileMetadata', Item: { ...gone, Sequencer: padSequencer('1') } }),
    );

    const report = await reconcile();
    expect(report.code).toBe(1);
    expect(report.stdout).toContain(`missing   ${PREFIX}lost.txt`);
    expect(report.stdout).toContain(`mismatch  ${PREFIX}stale.txt`);
    expect(report.stdout).toContain(`orphan    ${PREFIX}gone.txt`);
    expect(report.stdout).toContain('Checked 3 objects and 3 items: 1 missing, 1 mismatched, 1 orphaned.');
    expect(report.stdout).not.toContain('fine.txt');

    const fixed = await reconcile('--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Started 3 execution(s)');

    await eventually(
      async () => ((await reconcile()).code === 0 ? true : undefined),
      30_000,
      'the gaps to close',
    );
    expect(await clients.item(`${PREFIX}lost.txt`)).toMatchObject({
      ETag: etags.get('lost.txt'),
      EventName: 'ObjectCreated:Reconcile',
    });
    expect(await clients.item(`${PREFIX}stale.txt`)).toMatchObject({ ETag: etags.get('stale.txt') });
    expect(await clients.item(`${PREFIX}gone.txt`)).toMatchObject({
      Status: 'deleted',
      EventName: 'ObjectRemoved:Reconcile',
    });

    const again = await reconcile('--fix');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Checked 3 objects and 4 items: 0 missing, 0 mismatched, 0 orphaned.');
  });
});

describe('wrong command-line input', () => {
  it.each([
    ['an unknown option', ['--bucket', 'uploads', '--fixx'], /Error: Unknown option '--fixx'/],
    [
      'a bad bucket name',
      ['--bucket', 'Bad_Name'],
      /--bucket: expected an S3 bucket name.*\(received "Bad_Name"\)/,
    ],
    ['no bucket', [], /--bucket: .*\(received undefined\)|--bucket: Invalid input/],
    [
      '--fix without a state machine, against AWS',
      ['--bucket', 'uploads', '--fix', '--region', 'eu-west-1'],
      /--fix needs --state-machine-arn/,
    ],
  ])('reconcile refuses %s with one message, exit 2, no stack trace', async (_case, args, message) => {
    const result = await runCli('tools/reconcile/main.ts', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['an unknown option', ['--prot', '1'], /Error: Unknown option '--prot'/],
    ['a port that is not a number', ['--port', 'abc'], /--port: .*\(received "abc"\)/],
    ['a port out of range', ['--port', '70000'], /--port: .*\(received "70000"\)/],
    [
      'an unknown fault',
      ['--faults', 'throttel=0.1'],
      /--faults: unknown fault "throttel" .*\(allowed: throttle, transient, crash-after-write, deny\)/,
    ],
    [
      'a probability over 1',
      ['--faults', 'throttle=2'],
      /--faults: throttle must be a probability from 0 to 1 \(received "2"\)/,
    ],
    [
      'a seed that is not a number',
      ['--faults', 'throttle=0.1', '--faults-seed', 'x'],
      /--faults-seed must be a whole number \(received "x"\)/,
    ],
    ['a bad log level', ['--log-level', 'LOUD'], /--log-level: .*\(received "LOUD"\)/],
    ['a bad bucket name', ['--bucket', 'UP'], /--bucket\.0: expected an S3 bucket name.*\(received "UP"\)/],
  ])('npm start refuses %s with one message, exit 2, no stack trace', async (_case, args, message) => {
    const result = await runCli('local/main.ts', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
