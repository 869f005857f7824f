import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';
import { presignedUrl, signedRequest } from './support/signed-request';

/**
 * The local S3 against the S3 API Reference, one describe per item of issue 12
 * (what real clients found different from AWS). Each test names the page it
 * is written from; its own buckets and queue, so event records can be read raw.
 */
const endpoint = e2eEndpoint();
const { s3, sqs } = clientsFor(endpoint);
const BUCKET = 'e2e-compat';
const QUEUE = 'e2e-compat-events';
const raw = (request: Parameters<typeof signedRequest>[1]) => signedRequest(endpoint, request);
const text = async (body: { transformToString(): Promise<string> } | undefined) =>
  (await body?.transformToString()) ?? '';

type RawRecord = { eventName: string; s3: { object: { key: string; versionId?: string; size?: number } } };
let queueUrl = '';
const pending: RawRecord[] = [];

/** The next event records for keys under a prefix (other tests' records are kept for them). */
async function records(prefix: string, count: number): Promise<RawRecord[]> {
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages)
        pending.push(...((JSON.parse(message.Body ?? '{}').Records ?? []) as RawRecord[]));
      const mine = pending.filter((record) =>
        decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')).startsWith(prefix),
      );
      if (mine.length < count) return undefined;
      for (const record of mine) pending.splice(pending.indexOf(record), 1);
      return mine;
    },
    20_000,
    `${count} event record(s) under ${prefix}`,
  );
}

beforeAll(async () => {
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          },
        ],
      },
    }),
  );
});

describe('1. zero-byte objects without a Content-Type (PutObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)', () => {
  it('stores an empty body sent with no Content-Type, typed binary/octet-stream', async () => {
    const put = await raw({ method: 'PUT', path: `/${BUCKET}/empty/folder/` });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'empty/folder/' }));
    expect(head.ContentLength).toBe(0);
    expect(head.ContentType).toBe('binary/octet-stream');
  });
});

describe('2. listing order (ListObjectsV2: "results are returned in UTF-8 binary order", https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html)', () => {
  const keys = [
    'case/a.txt',
    'case/B.txt',
    'case/c.txt',
    'case/D.txt',
    'case/é.txt',
    'case/Z.txt',
    'case/~.txt',
  ];
  const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  beforeAll(async () => {
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  });

  it('pages through keys in byte order, each once (V2, continuation tokens)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'case/', MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token !== undefined);
    expect(seen).toEqual(byBytes);
  });

  it('pages through keys in byte order with V1 markers (the last key as the next marker)', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'case/', MaxKeys: 3, Marker: marker }),
      );
      seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      if (!page.IsTruncated) break;
      marker = seen.at(-1);
    }
    expect(seen).toEqual(byBytes);
  });
});

describe('3. DeleteObjects in quiet mode (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html: quiet mode only leaves successful deletions out of the answer)', () => {
  it('deletes the objects and sends an ObjectRemoved:Delete record for each', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'quiet/one.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'quiet/two.txt', Body: '2' }));
    await records('quiet/', 2);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'quiet/one.txt' }, { Key: 'quiet/two.txt' }], Quiet: true },
      }),
    );
    expect(result.Deleted ?? []).toEqual([]);
    const removed = await records('quiet/', 2);
    expect(removed.map((record) => record.eventName)).toEqual([
      'ObjectRemoved:Delete',
      'ObjectRemoved:Delete',
    ]);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'quiet/one.txt' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
  });
});

describe('4. storage class and server-side encryption (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)', () => {
  it('keeps the storage class and encryption a PutObject asked for, in HeadObject, listings and GetObjectAttributes', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'class/ia.txt',
        Body: 'ia',
        StorageClass: 'STANDARD_IA',
        ServerSideEncryption: 'AES256',
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'class/glacier-ir.txt',
        Body: 'gir',
        StorageClass: 'GLACIER_IR',
        ServerSideEncryption: 'aws:kms',
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'class/ia.txt' }));
    expect(head).toMatchObject({ StorageClass: 'STANDARD_IA', ServerSideEncryption: 'AES256' });
    const kms = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'class/glacier-ir.txt' }));
    expect(kms).toMatchObject({ StorageClass: 'GLACIER_IR', ServerSideEncryption: 'aws:kms' });
    expect(kms.SSEKMSKeyId).toMatch(/^arn:aws:kms:/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'class/' }));
    expect(
      Object.fromEntries((listed.Contents ?? []).map((object) => [object.Key, object.StorageClass])),
    ).toEqual({
      'class/glacier-ir.txt': 'GLACIER_IR',
      'class/ia.txt': 'STANDARD_IA',
    });
    const attributes = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'class/ia.txt',
        ObjectAttributes: ['StorageClass', 'ObjectSize'],
      }),
    );
    expect(attributes).toMatchObject({ StorageClass: 'STANDARD_IA', ObjectSize: 2 });
  });

  it('encrypts every new object with SSE-S3 by default (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html), STANDARD left out of HeadObject', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'class/default.txt', Body: 'd' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'class/default.txt' }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.StorageClass).toBeUndefined();
  });

  it('refuses an unknown storage class (InvalidStorageClass) and a GET of an archived object (InvalidObjectState)', async () => {
    const bad = await raw({
      method: 'PUT',
      path: `/${BUCKET}/class/bad.txt`,
      headers: { 'x-amz-storage-class': 'COLD' },
      body: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<Code>InvalidStorageClass</Code>');
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'class/archived.txt', Body: 'a', StorageClass: 'GLACIER' }),
    );
    await expect(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'class/archived.txt' })),
    ).rejects.toMatchObject({
      name: 'InvalidObjectState',
    });
  });
});

describe('5. integrity and conditional headers (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html)', () => {
  it('refuses a body whose Content-MD5 does not match (BadDigest) and stores nothing', async () => {
    const response = await raw({
      method: 'PUT',
      path: `/${BUCKET}/integrity/md5.txt`,
      headers: { 'content-md5': createHash('md5').update('other').digest('base64') },
      body: 'payload',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('<Code>BadDigest</Code>');
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'integrity/md5.txt' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('refuses a wrong x-amz-checksum-sha256 (BadDigest) and a malformed one (InvalidRequest)', async () => {
    await expect(
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'integrity/sha.txt',
          Body: 'payload',
          ChecksumSHA256: createHash('sha256').update('other').digest('base64'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    const malformed = await raw({
      method: 'PUT',
      path: `/${BUCKET}/integrity/sha.txt`,
      headers: { 'x-amz-checksum-sha256': 'not-a-digest' },
      body: 'payload',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('<Code>InvalidRequest</Code>');
  });

  it('answers 412 to If-None-Match: * when the key exists and to If-Match with another ETag; 404 to If-Match without an object', async () => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'integrity/cond.txt', Body: 'v1', IfNoneMatch: '*' }),
    );
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'integrity/cond.txt', Body: 'v2', IfNoneMatch: '*' }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'integrity/cond.txt', Body: 'v2', IfMatch: '"0123"' }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'integrity/cond.txt', Body: 'v3', IfMatch: first.ETag }),
    );
    expect(
      await text((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'integrity/cond.txt' }))).Body),
    ).toBe('v3');
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'integrity/none.txt', Body: 'x', IfMatch: first.ETag }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('keeps the checksums S3 computes and returns them with ChecksumMode ENABLED (CRC32, CRC32C, SHA1, SHA256, CRC64NVME)', async () => {
    const body = 'checksummed body';
    for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const key = `integrity/sum-${algorithm}.txt`;
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ChecksumAlgorithm: algorithm }),
      );
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect(head[`Checksum${algorithm}`]).toBeDefined();
      expect(head.ChecksumType).toBe('FULL_OBJECT');
    }
    const sha = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'integrity/sum-SHA256.txt', ChecksumMode: 'ENABLED' }),
    );
    expect(sha.ChecksumSHA256).toBe(createHash('sha256').update(body).digest('base64'));
  });

  it('decodes an aws-chunked streamed upload (SDK v3 stream body, trailing checksum) byte for byte', async () => {
    const { Readable } = await import('node:stream');
    const bytes = Buffer.alloc(300_000, 7);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'integrity/stream.bin',
        Body: Readable.from([bytes]),
        ContentLength: bytes.length,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'integrity/stream.bin' }));
    expect(
      Buffer.from(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))),
    ).toEqual(bytes);
  });
});

describe("6. a presigned PUT with curl's default Content-Type (https://docs.aws.amazon.com/AmazonS3/latest/userguide/PresignedUrlUploadObject.html)", () => {
  it('stores a body sent as application/x-www-form-urlencoded, with that type', async () => {
    const url = await presignedUrl(endpoint, 'PUT', `/${BUCKET}/presigned/form.txt`);
    const put = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(put.status).toBe(200);
    const getUrl = await presignedUrl(endpoint, 'GET', `/${BUCKET}/presigned/form.txt`);
    const got = await fetch(getUrl);
    expect(await got.text()).toBe('a=1&b=2');
    expect(got.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });
});

describe('7. encoding-type=url (ListObjectsV2 EncodingType, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html)', () => {
  it('URL-encodes keys and prefixes when asked, so a key with \\x01 can be listed; a key with CR keeps its CR otherwise', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'enc/ctl\x01(1).txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'enc/cr\r.txt', Body: 'x' }));
    const encoded = await raw({
      method: 'GET',
      path: `/${BUCKET}`,
      query: { 'list-type': '2', prefix: 'enc/ctl', 'encoding-type': 'url' },
    });
    expect(encoded.text).toContain('<Key>enc/ctl%01%281%29.txt</Key>');
    expect(encoded.text).toContain('<EncodingType>url</EncodingType>');
    const plain = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'enc/cr' }));
    expect(plain.Contents?.map((object) => object.Key)).toEqual(['enc/cr\r.txt']);
  });
});

describe('8. DeleteObjects keys are taken verbatim from the XML (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html)', () => {
  it('deletes the key with a trailing space, not its trimmed twin, and a key containing "&lt;" literally', async () => {
    for (const key of ['del/trail.txt', 'del/trail.txt ', 'del/a<b.txt', 'del/a&lt;b.txt'])
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'del/trail.txt ' }, { Key: 'del/a&lt;b.txt' }] },
      }),
    );
    const left = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'del/' }));
    expect((left.Contents ?? []).map((object) => object.Key)).toEqual(['del/a<b.txt', 'del/trail.txt']);
  });
});

describe('9. keys and small contracts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html)', () => {
  it('refuses a key over 1,024 bytes of UTF-8 with KeyTooLongError', async () => {
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `long/${'k'.repeat(1020)}`, Body: 'x' })),
    ).rejects.toMatchObject({ name: 'KeyTooLongError' });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `long/${'k'.repeat(1019)}`, Body: 'x' }));
  });

  it('keeps a key with . and .. segments verbatim', async () => {
    const put = await raw({ method: 'PUT', path: `/${BUCKET}/dots/a/../a/./b.txt`, body: 'dots' });
    expect(put.status).toBe(200);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'dots/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['dots/a/../a/./b.txt']);
  });

  it('answers a malformed percent-escape with 400, not 500', async () => {
    const response = await raw({ method: 'GET', path: `/${BUCKET}/bad%zzescape` });
    expect(response.status).toBe(400);
  });

  it('types an object uploaded without a Content-Type binary/octet-stream', async () => {
    await raw({ method: 'PUT', path: `/${BUCKET}/types/untyped.bin`, body: 'bytes' });
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'types/untyped.bin' }))).ContentType,
    ).toBe('binary/octet-stream');
  });

  it('refuses a CopyObject onto itself that changes nothing (InvalidRequest, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html), accepts one that replaces the metadata', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/self.txt', Body: 'self' }));
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'copy/self.txt',
          CopySource: `${BUCKET}/copy/self.txt`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'copy/self.txt',
        CopySource: `${BUCKET}/copy/self.txt`,
        MetadataDirective: 'REPLACE',
        Metadata: { edited: 'yes' },
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/self.txt' }))).Metadata).toEqual(
      { edited: 'yes' },
    );
  });

  it('applies the tagging field of a browser form upload (PostObject, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html)', async () => {
    const boundary = '----compat-boundary';
    const field = (name: string, value: string) => [
      `--${boundary}`,
      `Content-Disposition: form-data; name="${name}"`,
      '',
      value,
    ];
    const form = [
      ...field('key', 'form/tagged.txt'),
      ...field(
        'tagging',
        '<Tagging><TagSet><Tag><Key>origin</Key><Value>form</Value></Tag></TagSet></Tagging>',
      ),
      ...field('Content-Type', 'text/plain'),
      ...field('success_action_status', '201'),
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="tagged.txt"',
      'Content-Type: text/plain',
      '',
      'form body',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const response = await raw({
      method: 'POST',
      path: `/${BUCKET}`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: form,
      unsigned: true,
    });
    expect(response.status).toBe(201);
    expect(response.text).toContain('<Key>form/tagged.txt</Key>');
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'form/tagged.txt' }));
    expect(tags.TagSet).toEqual([{ Key: 'origin', Value: 'form' }]);
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'form/tagged.txt' }))).ContentType,
    ).toBe('text/plain');
  });
});

describe('13. versioning (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html)', () => {
  const VERSIONED = 'e2e-compat-versioned';

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: VERSIONED }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: VERSIONED,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            },
          ],
        },
      }),
    );
  });

  it('reports no status before versioning is configured, then Enabled (GetBucketVersioning)', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: VERSIONED }))).Status).toBeUndefined();
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: VERSIONED }))).Status).toBe('Enabled');
  });

  it('gives every write a version id, reads each version back, and announces each with its version id', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: 'ver/doc.txt', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: 'ver/doc.txt', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const old = await s3.send(
      new GetObjectCommand({ Bucket: VERSIONED, Key: 'ver/doc.txt', VersionId: v1.VersionId }),
    );
    expect(await text(old.Body)).toBe('one');
    expect(old.VersionId).toBe(v1.VersionId);
    expect((await s3.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'ver/doc.txt' }))).VersionId).toBe(
      v2.VersionId,
    );
    const created = await records('ver/doc.txt', 2);
    expect(created.map((record) => [record.eventName, record.s3.object.versionId])).toEqual([
      ['ObjectCreated:Put', v1.VersionId],
      ['ObjectCreated:Put', v2.VersionId],
    ]);
  });

  it('creates a delete marker for a delete without version id: GET answers 404 with x-amz-delete-marker, the versions stay', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: VERSIONED, Key: 'ver/marked.txt', Body: 'kept' }),
    );
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'ver/marked.txt' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    const get = await raw({ method: 'GET', path: `/${VERSIONED}/ver/marked.txt` });
    expect(get.status).toBe(404);
    expect(get.headers['x-amz-delete-marker']).toBe('true');
    expect(get.headers['x-amz-version-id']).toBe(deleted.VersionId);
    // The marker named by its version id: 405 MethodNotAllowed (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html).
    const named = await raw({
      method: 'GET',
      path: `/${VERSIONED}/ver/marked.txt`,
      query: { versionId: deleted.VersionId ?? '' },
    });
    expect(named.status).toBe(405);
    expect(
      await text(
        (
          await s3.send(
            new GetObjectCommand({ Bucket: VERSIONED, Key: 'ver/marked.txt', VersionId: put.VersionId }),
          )
        ).Body,
      ),
    ).toBe('kept');
    const events = await records('ver/marked.txt', 2);
    expect(events[1]).toMatchObject({
      eventName: 'ObjectRemoved:DeleteMarkerCreated',
      s3: { object: { versionId: deleted.VersionId } },
    });
    // Removing the marker brings the object back.
    const removed = await s3.send(
      new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'ver/marked.txt', VersionId: deleted.VersionId }),
    );
    expect(removed).toMatchObject({ DeleteMarker: true, VersionId: deleted.VersionId });
    expect(
      await text((await s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'ver/marked.txt' }))).Body),
    ).toBe('kept');
    const [permanent] = await records('ver/marked.txt', 1);
    expect(permanent).toMatchObject({
      eventName: 'ObjectRemoved:Delete',
      s3: { object: { versionId: deleted.VersionId } },
    });
  });

  it('lists versions and delete markers newest first, paging with key and version-id markers (ListObjectVersions)', async () => {
    const ids: string[] = [];
    for (const body of ['a', 'b', 'c'])
      ids.push(
        (await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: 'list/k.txt', Body: body })))
          .VersionId ?? '',
      );
    const marker =
      (await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'list/k.txt' }))).VersionId ?? '';
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: VERSIONED,
          Prefix: 'list/',
          MaxKeys: 1,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      seen.push(...(page.DeleteMarkers ?? []).map((entry) => `marker ${entry.VersionId} ${entry.IsLatest}`));
      seen.push(...(page.Versions ?? []).map((entry) => `version ${entry.VersionId} ${entry.IsLatest}`));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen).toEqual([
      `marker ${marker} true`,
      `version ${ids[2]} false`,
      `version ${ids[1]} false`,
      `version ${ids[0]} false`,
    ]);
  });

  it('writes null versions while suspended, replacing the previous null version, keeping the others', async () => {
    const enabled = await s3.send(
      new PutObjectCommand({ Bucket: VERSIONED, Key: 'susp/n.txt', Body: 'enabled' }),
    );
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    try {
      const first = await s3.send(
        new PutObjectCommand({ Bucket: VERSIONED, Key: 'susp/n.txt', Body: 'null 1' }),
      );
      const second = await s3.send(
        new PutObjectCommand({ Bucket: VERSIONED, Key: 'susp/n.txt', Body: 'null 2' }),
      );
      expect([first.VersionId, second.VersionId]).toEqual(['null', 'null']);
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'susp/' }));
      expect(versions.Versions?.map((version) => version.VersionId)).toEqual(['null', enabled.VersionId]);
    } finally {
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
  });

  it('tags and copies a given version (versionId on GetObjectTagging and in x-amz-copy-source)', async () => {
    const v1 = await s3.send(
      new PutObjectCommand({ Bucket: VERSIONED, Key: 'vt/t.txt', Body: 'first', Tagging: 'gen=1' }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: VERSIONED, Key: 'vt/t.txt', Body: 'second', Tagging: 'gen=2' }),
    );
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: VERSIONED, Key: 'vt/t.txt', VersionId: v1.VersionId }),
    );
    expect(tags).toMatchObject({ VersionId: v1.VersionId, TagSet: [{ Key: 'gen', Value: '1' }] });
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: VERSIONED,
        Key: 'vt/restored.txt',
        CopySource: `${VERSIONED}/vt/t.txt?versionId=${v1.VersionId}`,
      }),
    );
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect(
      await text((await s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'vt/restored.txt' }))).Body),
    ).toBe('first');
  });
});

describe('14. bodies over 11 MiB (a single PUT takes up to 5 GiB, https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html)', () => {
  it('stores a 16 MB PutObject and a 16 MB CopyObject byte for byte', async () => {
    const big = Buffer.alloc(16 * 1000 * 1000);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big/16mb.bin', Body: big }));
    expect(put.ETag).toBe(`"${createHash('md5').update(big).digest('hex')}"`);
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'big/16mb-copy.bin',
        CopySource: `${BUCKET}/big/16mb.bin`,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/16mb-copy.bin' }));
    expect(
      createHash('md5')
        .update(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())))
        .digest('hex'),
    ).toBe(createHash('md5').update(big).digest('hex'));
  });
});

describe('15. sub-resources answered as S3 answers them (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html)', () => {
  it('GetBucketLocation: us-east-1 is the empty location constraint', async () => {
    expect(
      (await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }))).LocationConstraint,
    ).toBeUndefined();
    const response = await raw({ method: 'GET', path: `/${BUCKET}`, query: { location: '' } });
    expect(response.text).toContain('<LocationConstraint');
    expect(response.text).not.toContain('<ListBucketResult');
  });

  it("GetBucketTagging of an untagged bucket: NoSuchTagSet; GetBucketAcl and GetObjectAcl: the owner's grant, not a listing nor the bytes", async () => {
    await expect(s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: 'NoSuchTagSet',
    });
    expect((await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }))).Grants?.[0]?.Permission).toBe(
      'FULL_CONTROL',
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sub/acl.txt', Body: 'the bytes' }));
    const acl = await raw({ method: 'GET', path: `/${BUCKET}/sub/acl.txt`, query: { acl: '' } });
    expect(acl.text).toContain('<AccessControlPolicy');
    expect(acl.text).not.toContain('the bytes');
  });

  it('a sub-resource the runtime does not emulate: 501 NotImplemented, not a listing', async () => {
    const response = await raw({ method: 'GET', path: `/${BUCKET}`, query: { analytics: '' } });
    expect(response.status).toBe(501);
    expect(response.text).toContain('<Code>NotImplemented</Code>');
  });
});

describe('16. ListObjectVersions on an unversioned bucket (every object has the version null, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html)', () => {
  it('lists every object with version null, paging past 128 keys, so emptying a bucket through versions works', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `vers/${String(i).padStart(3, '0')}.txt`);
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v' }));
    const listed: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: BUCKET,
          Prefix: 'vers/',
          MaxKeys: 100,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      for (const version of page.Versions ?? []) {
        expect(version.VersionId).toBe('null');
        listed.push(version.Key ?? '');
      }
      if (!page.IsTruncated) break;
      expect(page.NextKeyMarker).toBeDefined();
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(listed).toEqual(keys);
    for (let i = 0; i < listed.length; i += 100)
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: listed.slice(i, i + 100).map((Key) => ({ Key, VersionId: 'null' })) },
        }),
      );
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'vers/' }))).KeyCount).toBe(0);
  });
});

describe('17. user metadata comes back as it was stored (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html)', () => {
  it('keeps empty values and Expires; a non-ASCII value comes back RFC 2047-encoded as S3 returns it', async () => {
    const encoded = `=?UTF-8?B?${Buffer.from('café ☕', 'utf8').toString('base64')}?=`;
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'meta/m.txt',
        Body: 'm',
        Metadata: { empty: '', plain: 'value', unicode: encoded },
        Expires: new Date('2030-01-01T00:00:00Z'),
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta/m.txt' }));
    expect(head.Metadata).toEqual({ empty: '', plain: 'value', unicode: encoded });
    expect(head.ExpiresString).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
  });

  it('applies the response-* overrides of a GET (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html)', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'meta/o.txt', Body: 'o', ContentType: 'text/plain' }),
    );
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: 'meta/o.txt',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="o.json"',
        ResponseCacheControl: 'no-store',
        ResponseContentLanguage: 'fr',
      }),
    );
    expect(got).toMatchObject({
      ContentType: 'application/json',
      ContentDisposition: 'attachment; filename="o.json"',
      CacheControl: 'no-store',
      ContentLanguage: 'fr',
    });
  });
});

describe('18. multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html)', () => {
  it("completes with S3's ETag (MD5 of the parts' MD5s, -N), answers a retried completion the same, lists parts and uploads", async () => {
    const key = 'mpu/three.bin';
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/x-test' }),
    );
    const bodies = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(5 * 1024 * 1024, 2), Buffer.from('tail')];
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    for (const [index, body] of bodies.entries())
      parts.push({
        PartNumber: index + 1,
        ETag: (
          await s3.send(
            new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: body }),
          )
        ).ETag,
      });
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'mpu/' }));
    expect(uploads.Uploads?.map((upload) => upload.UploadId)).toContain(UploadId);
    const listedParts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
    expect(listedParts.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, 5 * 1024 * 1024],
      [2, 5 * 1024 * 1024],
      [3, 4],
    ]);
    const complete = () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    const done = await complete();
    const md5s = Buffer.concat(bodies.map((body) => createHash('md5').update(body).digest()));
    expect(done.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-3"`);
    expect((await complete()).ETag).toBe(done.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 3 }));
    expect(head).toMatchObject({ ContentLength: 4, PartsCount: 3, ContentType: 'application/x-test' });
  });

  it('refuses a completion with no parts (MalformedXML) or a part under 5 MiB before the last (EntityTooSmall)', async () => {
    const key = 'mpu/bad.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedXML' });
    const small = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'small' }),
    );
    const last = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 2, Body: 'last' }),
    );
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: small.ETag },
              { PartNumber: 2, ETag: last.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId }));
    await expect(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }))).rejects.toMatchObject(
      { name: 'NoSuchUpload' },
    );
  });

  it('finds an abandoned upload, aborts it, and then deletes the bucket', async () => {
    const bucket = 'e2e-compat-abandoned';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'left/behind.bin' }));
    const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(Uploads).toHaveLength(1);
    for (const upload of Uploads)
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });
});

describe('19. limits and small contracts', () => {
  it('CopyObject honours x-amz-copy-source-if-match and -if-none-match (412, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lim/src.txt', Body: 'src' }));
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'lim/dst.txt',
          CopySource: `${BUCKET}/lim/src.txt`,
          CopySourceIfMatch: '"other"',
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'lim/dst.txt',
          CopySource: `${BUCKET}/lim/src.txt`,
          CopySourceIfNoneMatch: put.ETag,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'lim/dst.txt',
        CopySource: `${BUCKET}/lim/src.txt`,
        CopySourceIfMatch: put.ETag,
      }),
    );
  });

  it('a 304 Not Modified carries the ETag (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, RFC 7232)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lim/etag.txt', Body: 'e' }));
    const response = await raw({
      method: 'GET',
      path: `/${BUCKET}/lim/etag.txt`,
      headers: { 'if-none-match': put.ETag ?? '' },
    });
    expect(response.status).toBe(304);
    expect(response.headers.etag).toBe(put.ETag);
  });

  it('DeleteObjects takes at most 1,000 keys (MalformedXML)', async () => {
    await expect(
      s3.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: Array.from({ length: 1001 }, (_, i) => ({ Key: `lim/${i}` })) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedXML' });
  });

  it('max-keys=0 answers nothing and is not truncated', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    expect(page).toMatchObject({ KeyCount: 0, IsTruncated: false });
  });

  it("refuses tags over S3's limits with InvalidTag (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html)", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lim/tags.txt', Body: 't' }));
    await expect(
      s3.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: 'lim/tags.txt',
          Tagging: { TagSet: [{ Key: 'k'.repeat(129), Value: 'v' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTag' });
    await expect(
      s3.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: 'lim/tags.txt',
          Tagging: { TagSet: [{ Key: 'k', Value: 'v'.repeat(257) }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTag' });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lim/tags2.txt', Body: 't', Tagging: 'a=1&a=2' })),
    ).rejects.toMatchObject({ name: 'InvalidTag' });
  });

  it('an error body names the request id of the x-amz-request-id header (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)', async () => {
    const response = await raw({ method: 'GET', path: `/${BUCKET}/lim/missing.txt` });
    expect(response.status).toBe(404);
    expect(response.text).toContain(`<RequestId>${response.headers['x-amz-request-id']}</RequestId>`);
  });

  it('an empty Expect header and an empty Content-Type are served (not 417, not 415)', async () => {
    const put = await raw({
      method: 'PUT',
      path: `/${BUCKET}/lim/expect.txt`,
      headers: { expect: '', 'content-type': '' },
      body: 'x',
    });
    expect(put.status).toBe(200);
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'lim/expect.txt' }))).ContentType,
    ).toBe('binary/octet-stream');
  });
});

describe('ranged reads (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, RFC 7233)', () => {
  it('clamps a range past the end, answers 416 InvalidRange with Content-Range bytes */size to one that starts past it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range/ten.txt', Body: '0123456789' }));
    const clamped = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'range/ten.txt', Range: 'bytes=8-100' }),
    );
    expect(clamped.ContentRange).toBe('bytes 8-9/10');
    expect(await text(clamped.Body)).toBe('89');
    const suffix = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'range/ten.txt', Range: 'bytes=-3' }),
    );
    expect(await text(suffix.Body)).toBe('789');
    const beyond = await raw({
      method: 'GET',
      path: `/${BUCKET}/range/ten.txt`,
      headers: { range: 'bytes=10-20' },
    });
    expect(beyond.status).toBe(416);
    expect(beyond.text).toContain('<Code>InvalidRange</Code>');
    expect(beyond.headers['content-range']).toBe('bytes */10');
  });

  it('answers 416 InvalidRange to bytes=0-0 of an empty object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range/empty.txt', Body: new Uint8Array(0) }));
    await expect(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range/empty.txt', Range: 'bytes=0-0' })),
    ).rejects.toMatchObject({ name: 'InvalidRange' });
  });
});
