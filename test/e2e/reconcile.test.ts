import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { padSequencer } from '../../functions/core/sequencer';
import { clientsFor } from '../support/aws-clients';
import { runCli } from '../support/run-cli';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

const endpoint = e2eEndpoint();
const clients = clientsFor(endpoint);
const TABLE = 'S3FileMetadata';
const PREFIX = 'e2e-reconcile/';

/** `npm run reconcile` against the e2e runtime, as a user runs it: no --state-machine-arn. */
const reconcileIn =
  (bucket: string, prefix = '') =>
  (...extra: string[]) =>
    runCli('tools/reconcile/main.ts', [
      '--endpoint-url',
      endpoint,
      '--bucket',
      bucket,
      ...(prefix ? ['--prefix', prefix] : []),
      ...extra,
    ]);

/** Waits until a reconcile run (same flags) finds nothing: the repairs have closed every gap. */
async function untilClean(run: (...extra: string[]) => ReturnType<typeof runCli>, ...flags: string[]) {
  await eventually(
    async () => ((await run(...flags)).code === 0 ? true : undefined),
    60_000,
    'the gaps to close',
  );
}

describe('npm run reconcile', () => {
  const reconcile = reconcileIn('uploads', PREFIX);

  it('reports the gaps, repairs them through the workflow with --fix (the local state machine found by itself), and a second --fix starts nothing', async () => {
    const etags = new Map<string, string>();
    for (const name of ['lost.txt', 'stale.txt', 'fine.txt', 'gone.txt', 'tagged.txt']) {
      const put = await clients.s3.send(
        new PutObjectCommand({
          Bucket: 'uploads',
          Key: `${PREFIX}${name}`,
          Body: `content of ${name}`,
          ...(name === 'tagged.txt' ? { Tagging: 'team=red' } : {}),
        }),
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
    // A lost item, a stale item, an item whose object vanished without an event, an item with old tags.
    await clients.dynamo.send(
      new DeleteCommand({ TableName: TABLE, Key: { BucketName: 'uploads', ObjectKey: `${PREFIX}lost.txt` } }),
    );
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { BucketName: 'uploads', ObjectKey: `${PREFIX}stale.txt` },
        UpdateExpression: 'SET ETag = :e',
        ExpressionAttributeValues: { ':e': 'stale' },
      }),
    );
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { BucketName: 'uploads', ObjectKey: `${PREFIX}tagged.txt` },
        UpdateExpression: 'SET Tags = :t',
        ExpressionAttributeValues: { ':t': { team: 'blue' } },
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
      new PutCommand({ TableName: TABLE, Item: { ...gone, Sequencer: padSequencer('1') } }),
    );

    const report = await reconcile();
    expect(report.code).toBe(1);
    expect(report.stdout).toContain(`missing   ${PREFIX}lost.txt`);
    expect(report.stdout).toContain(`mismatch  ${PREFIX}stale.txt`);
    expect(report.stdout).toContain(`orphan    ${PREFIX}gone.txt`);
    expect(report.stdout).toContain('Checked 4 objects and 4 items: 1 missing, 1 mismatched, 1 orphaned.');
    expect(report.stdout).not.toContain('tagged.txt'); // tags are compared only when asked
    expect(report.stdout).not.toContain('fine.txt');

    const withTags = await reconcile('--tags');
    expect(withTags.code).toBe(1);
    expect(withTags.stdout).toContain(
      `tags      ${PREFIX}tagged.txt  object tags team=red, item tags team=blue`,
    );
    expect(withTags.stdout).toContain('1 missing, 1 mismatched, 1 orphaned, 1 with other tags.');

    const fixed = await reconcile('--tags', '--fix');
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(
      'fixing through arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline',
    );
    expect(fixed.stdout).toContain('Started 4 execution(s)');

    // At once, while the repairs may still run, and once they are done: nothing more is started.
    const second = await reconcile('--tags', '--fix');
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('-> started');

    await untilClean(reconcile, '--tags');
    expect(await clients.item(`${PREFIX}lost.txt`)).toMatchObject({
      ETag: etags.get('lost.txt'),
      EventName: 'ObjectCreated:Reconcile',
      Requester: 'reconcile',
    });
    expect(await clients.item(`${PREFIX}stale.txt`)).toMatchObject({ ETag: etags.get('stale.txt') });
    expect(await clients.item(`${PREFIX}gone.txt`)).toMatchObject({
      Status: 'deleted',
      EventName: 'ObjectRemoved:Reconcile',
    });
    expect(await clients.item(`${PREFIX}tagged.txt`)).toMatchObject({
      Tags: { team: 'red' },
      EventName: 'ObjectTagging:Put',
      RecordType: 'UPDATE_METADATA',
      ETag: etags.get('tagged.txt'),
    });

    const again = await reconcile('--tags', '--fix');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'Checked 4 objects and 5 items: 0 missing, 0 mismatched, 0 orphaned, 0 with other tags.',
    );
    expect(again.stdout).not.toContain('-> started');
  });
});

describe('npm run reconcile, versioned bucket', () => {
  // A bucket the runtime does not watch: no event reaches the pipeline, as when S3 never sent one;
  // reconcile is then the only way its objects get recorded.
  const BUCKET = 'e2e-reconcile-versioned';
  const reconcile = reconcileIn(BUCKET);
  const item = (key: string) => clients.item(key, BUCKET);

  it('compares current versions (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html): a newer version, a delete marker, tags', async () => {
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const put = (key: string) =>
      clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
    const first = { 'a.txt': await put('a.txt'), 'b.txt': await put('b.txt'), 'c.txt': await put('c.txt') };

    const initial = await reconcile();
    expect(initial.code).toBe(1);
    expect(initial.stdout).toContain('Checked 3 current versions and 0 items: 3 missing');
    expect((await reconcile('--fix')).stdout).toContain('Started 3 execution(s)');
    await untilClean(reconcile, '--tags');
    expect(await item('a.txt')).toMatchObject({ Status: 'present', VersionId: first['a.txt'].VersionId });

    // The same bytes again: a new current version with the same ETag and size.
    const second = await put('a.txt');
    expect(second.ETag).toBe(first['a.txt'].ETag);
    // A delete marker becomes the current version of b.txt.
    const marker = await clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'b.txt' }));
    expect(marker.DeleteMarker).toBe(true);
    // c.txt's tags change.
    await clients.s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 'c.txt',
        Tagging: { TagSet: [{ Key: 'stage', Value: 'final' }] },
      }),
    );

    const report = await reconcile('--tags');
    expect(report.code).toBe(1);
    expect(report.stdout).toContain(`mismatch  a.txt  object`);
    expect(report.stdout).toContain(`version ${second.VersionId}`);
    expect(report.stdout).toContain('orphan    b.txt');
    expect(report.stdout).toContain('tags      c.txt  object tags stage=final, item tags none');
    expect(report.stdout).toContain(
      'Checked 2 current versions and 3 items: 0 missing, 1 mismatched, 1 orphaned, 1 with other tags.',
    );

    const fixed = await reconcile('--tags', '--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Started 3 execution(s)');
    await untilClean(reconcile, '--tags');
    expect(await item('a.txt')).toMatchObject({ Status: 'present', VersionId: second.VersionId });
    expect(await item('b.txt')).toMatchObject({
      Status: 'deleted',
      IsDeleteMarker: true,
      DeletedVersionId: marker.VersionId,
      EventName: 'ObjectRemoved:Reconcile',
    });
    expect(await item('c.txt')).toMatchObject({
      Status: 'present',
      Tags: { stage: 'final' },
      VersionId: first['c.txt'].VersionId,
    });

    const again = await reconcile('--tags', '--fix');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('-> started');
  });

  it('compares the null version written while versioning is suspended (https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersionSuspendedBuckets.html)', async () => {
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    // A new object, and a new current version of a.txt: both with the version id "null".
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'd.txt', Body: 'body of d.txt' }));
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'body of a.txt' }));

    const report = await reconcile();
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/mismatch {2}a\.txt {2}object .* version null, item .* version \S{32}\n/);
    expect(report.stdout).toMatch(/missing {3}d\.txt {2}object .* version null, no item/);

    const fixed = await reconcile('--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Started 2 execution(s)');
    await untilClean(reconcile);
    expect((await reconcile('--fix')).stdout).not.toContain('-> started');
    for (const key of ['a.txt', 'd.txt']) {
      const recorded = await item(key);
      expect(recorded).toMatchObject({ Status: 'present', EventName: 'ObjectCreated:Reconcile' });
      // S3 reports the null version as "null"; an item of one may also hold no version id at all.
      expect(recorded?.VersionId ?? 'null').toBe('null');
    }
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

  it('reconcile exits 1 with one line, no stack trace, when a request fails', async () => {
    // Port 9 on loopback: nothing listens (the discard port), the connection is refused.
    const result = await runCli('tools/reconcile/main.ts', [
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--bucket',
      'uploads',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*ECONNREFUSED/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  describe('--fix against a local endpoint without exactly one state machine', () => {
    // A stand-in endpoint answering ListStateMachines (and only that) with the machines given.
    let server: Server;
    let machines: string[] = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          response.setHeader('content-type', 'application/x-amz-json-1.0');
          if (request.headers['x-amz-target'] !== 'AWSStepFunctions.ListStateMachines') {
            response.statusCode = 400;
            response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
            return;
          }
          response.end(
            JSON.stringify({
              stateMachines: machines.map((name) => ({
                stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
                name,
                type: 'STANDARD',
                creationDate: 1_764_000_000,
              })),
            }),
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.each([
      [[], /--fix needs --state-machine-arn: the endpoint has no state machine at http:\/\/127\.0\.0\.1:\d+/],
      [
        ['one', 'two'],
        /--fix needs --state-machine-arn: the endpoint has 2 state machines \(.*:one, .*:two\)/,
      ],
    ])('with %j it says so and asks for the flag (exit 2)', async (names, message) => {
      machines = names;
      const { port } = server.address() as AddressInfo;
      const result = await runCli('tools/reconcile/main.ts', [
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
        '--bucket',
        'uploads',
        '--fix',
      ]);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    });
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
