import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { executionName } from '../../functions/core/execution-name';
import { enrichmentStateNames } from '../../statemachine/definition';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { executionsOfKey } from '../support/settle';
import { e2eEndpoint } from './support/endpoint';

/** The enrichment stages' states, in order (from the registry): adding a stage changes no list here. */
const STAGES = enrichmentStateNames();

const SAMPLES = join(__dirname, '..', '..', 'local', 'samples');
const PREFIX = 'e2e-pipeline';
const { s3, sfn, item } = clientsFor(e2eEndpoint());
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
const unquote = (eTag: string | undefined) => (eTag ?? '').replace(/"/g, '');

async function itemWith(key: string, eTag: string) {
  return eventually(
    async () => {
      const found = await item(key);
      return found?.ETag === eTag ? found : undefined;
    },
    30_000,
    `the item of ${key} with ETag ${eTag}`,
  );
}

describe('uploads through the S3 API become items', () => {
  it.each([
    ['photo.png', 'image/png', 'image/png', 'image'],
    ['pixel.gif', 'image/gif', 'image/gif', 'image'],
    ['invoice.pdf', 'application/pdf', 'application/pdf', 'document'],
    [
      'notes.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'document',
    ],
    ['bundle.zip', 'application/zip', 'application/zip', 'archive'],
    ['server.log.gz', 'application/gzip', 'application/gzip', 'archive'],
    ['beep.wav', 'audio/wav', 'audio/wav', 'audio'],
    ['sales 2026 é.csv', 'text/csv', 'text/csv', 'text'],
    ['reading.json', 'application/json', 'application/json', 'text'],
    ['README.txt', 'text/plain', 'text/plain', 'text'],
  ])(
    '%s is recorded with its metadata and detected content',
    async (file, contentType, detected, category) => {
      const body = readFileSync(join(SAMPLES, file));
      const key = `${PREFIX}/kinds/${file}`;
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: 'uploads',
          Key: key,
          Body: body,
          ContentType: contentType,
          Metadata: { origin: 'e2e' },
        }),
      );
      const recorded = await itemWith(key, unquote(put.ETag));
      expect(recorded).toMatchObject({
        BucketName: 'uploads',
        ObjectKey: key,
        Status: 'present',
        FileSize: body.length,
        ETag: md5(body),
        ContentType: contentType,
        DetectedContentType: detected,
        Category: category,
        ContentTypeMismatch: false,
        UserMetadata: { origin: 'e2e' },
        EventName: 'ObjectCreated:Put',
      });
    },
  );

  it('flags a declared Content-Type the bytes contradict', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: `${PREFIX}/liar.jpg`,
        Body: readFileSync(join(SAMPLES, 'photo.png')),
        ContentType: 'image/jpeg',
      }),
    );
    expect(await itemWith(`${PREFIX}/liar.jpg`, unquote(put.ETag))).toMatchObject({
      ContentType: 'image/jpeg',
      DetectedContentType: 'image/png',
      ContentTypeMismatch: true,
    });
  });

  it('stores a streamed (aws-chunked) upload byte-exact and records its true size', async () => {
    const data = Buffer.alloc(3_000_000);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 31) % 251;
    const key = `${PREFIX}/streamed.bin`;
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: key,
        Body: Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]),
        ContentLength: data.length,
      }),
    );
    const back = await (
      await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: key }))
    ).Body?.transformToByteArray();
    expect(md5(back ?? new Uint8Array())).toBe(md5(data));
    expect(await itemWith(key, unquote(put.ETag))).toMatchObject({ FileSize: 3_000_000, ETag: md5(data) });
  });

  it('stores a multipart upload byte-exact, with the ETag S3 computes (<md5 of part md5s>-N)', async () => {
    const data = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    const key = `${PREFIX}/multipart upload.bin`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: key }));
    const parts = [
      data.subarray(0, 5 * 1024 * 1024),
      data.subarray(5 * 1024 * 1024, 10 * 1024 * 1024),
      data.subarray(10 * 1024 * 1024),
    ];
    const uploaded = [];
    for (const [index, part] of parts.entries()) {
      const response = await s3.send(
        new UploadPartCommand({ Bucket: 'uploads', Key: key, UploadId, PartNumber: index + 1, Body: part }),
      );
      uploaded.push({ ETag: response.ETag, PartNumber: index + 1 });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    const expected = `${createHash('md5')
      .update(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))
      .digest('hex')}-3`;
    expect(unquote(done.ETag)).toBe(expected);
    const back = await (
      await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: key }))
    ).Body?.transformToByteArray();
    expect(md5(back ?? new Uint8Array())).toBe(md5(data));
    expect(await itemWith(key, expected)).toMatchObject({
      FileSize: data.length,
      EventName: 'ObjectCreated:CompleteMultipartUpload',
    });
  });

  it('keeps the newest version when an object is overwritten, once both events have been processed', async () => {
    const key = `${PREFIX}/overwritten.txt`;
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'version one' }));
    const second = await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'version two, longer' }),
    );
    const recorded = await itemWith(key, unquote(second.ETag));
    expect(recorded.FileSize).toBe('version two, longer'.length);
    // And it stays so: wait until the executions of both events (one per event) have ended, whatever their order.
    const { stateMachineArn = '' } = await sfn.send(
      new DescribeExecutionCommand({ executionArn: String(recorded.ExecutionArn) }),
    );
    const ended = await eventually(
      async () => {
        const executions = await executionsOfKey(sfn, stateMachineArn, key);
        return executions.length >= 2 && executions.every((execution) => execution.status !== 'RUNNING')
          ? executions
          : undefined;
      },
      30_000,
      `the executions of both events of ${key} to end`,
    );
    expect(ended.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await item(key)).toMatchObject({ ETag: unquote(second.ETag), Sequencer: recorded.Sequencer });
  });

  it('leaves a tombstone when an object is deleted', async () => {
    const key = `${PREFIX}/deleted.txt`;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'short-lived', ContentType: 'text/plain' }),
    );
    await itemWith(key, unquote(put.ETag));
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: key }));
    const tombstone = await eventually(
      async () => {
        const found = await item(key);
        return found?.Status === 'deleted' ? found : undefined;
      },
      30_000,
      'the tombstone',
    );
    expect(tombstone).toMatchObject({
      Status: 'deleted',
      EventName: 'ObjectRemoved:Delete',
      DeletedAt: expect.any(String),
      ContentType: 'text/plain',
    });
  });
});

describe('the Step Functions API', () => {
  it("lists the executions and shows each one's history", async () => {
    const key = `${PREFIX}/history.txt`;
    const put = await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'watch me' }));
    const recorded = await itemWith(key, unquote(put.ETag));
    const executionArn = String(recorded.ExecutionArn);
    expect(executionArn.split(':').at(-1)).toBe(
      executionName({ bucket: 'uploads', key, sequencer: String(recorded.Sequencer) }),
    );
    const described = await eventually(
      async () => {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return execution.status === 'SUCCEEDED' ? execution : undefined;
      },
      30_000,
      'the execution to succeed',
    );
    expect(JSON.parse(described.input ?? '{}')).toMatchObject({ object: { bucket: 'uploads', key } });
    const stateMachineArn = described.stateMachineArn ?? '';
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    expect(listed.executions?.map((execution) => execution.executionArn)).toContain(executionArn);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const entered = (history.events ?? []).flatMap((event) =>
      event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
    );
    expect(entered).toEqual([
      'RouteEvent',
      'DescribeObject',
      ...STAGES,
      'WriteMetadata',
      'WasWritten',
      'Notify',
    ]);
    expect(history.events?.[0]?.type).toBe('ExecutionStarted');
    expect(history.events?.at(-1)?.type).toBe('ExecutionSucceeded');
  });
});
