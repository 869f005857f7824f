import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { SAMPLE_BYTES } from '../../../functions/core/enrichment';
import { handler } from '../../../functions/describe-object';
import type { DescribedObject } from '../../../functions/describe-object/describe-object';
import { objectEvent } from '../../support/fixtures';

const s3 = mockClient(S3Client);

function sdkError(name: string, status: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

const head = {
  ContentType: 'text/csv',
  ContentLength: 1024,
  ETag: '"d41d8cd98f00b204e9800998ecf8427e"',
  LastModified: new Date('2026-11-25T10:15:30.000Z'),
  Metadata: { owner: 'finance' },
  ServerSideEncryption: 'AES256' as const,
  ChecksumCRC32: 'AAAAAA==',
  ChecksumType: 'FULL_OBJECT' as const,
  TagCount: 1,
};

const content = new TextEncoder().encode('region,total\n'.repeat(400)); // 5,200 bytes: more than the sample
// The part of the SDK's streaming body the step uses; the mock honours the Range header as S3 does.
const body = (data: Uint8Array) => ({ transformToByteArray: async () => new Uint8Array(data) }) as never;

beforeEach(() => {
  s3.reset();
  s3.on(HeadObjectCommand).resolves(head);
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'project', Value: 'q3' }] });
  s3.on(GetObjectCommand).callsFake(async (input: { Range?: string }) => {
    const [, start = '0', end = String(content.length - 1)] =
      /bytes=(\d+)-(\d+)/.exec(input.Range ?? '') ?? [];
    return { Body: body(content.subarray(Number(start), Number(end) + 1)) };
  });
});

describe('describe-object handler', () => {
  it('describes the object from HeadObject and its tags', async () => {
    await expect(handler({ object: objectEvent() })).resolves.toHaveProperty('description', {
      contentType: 'text/csv',
      size: 1024,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      lastModified: '2026-11-25T10:15:30.000Z',
      storageClass: 'STANDARD',
      serverSideEncryption: 'AES256',
      checksumAlgorithm: 'CRC32',
      checksumType: 'FULL_OBJECT',
      userMetadata: { owner: 'finance' },
      tags: { project: 'q3' },
    });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'uploads',
      Key: 'reports/q3 2026 (final).csv',
      ChecksumMode: 'ENABLED',
    });
  });

  it('asks for the event version in a versioned bucket', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, VersionId: 'v1' });
    const { description } = (await handler({
      object: objectEvent({ versionId: 'v1' }),
    })) as DescribedObject & {
      exists: true;
    };
    expect(description.versionId).toBe('v1');
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input.VersionId).toBe('v1');
    expect(s3.commandCalls(GetObjectTaggingCommand)[0]?.args[0].input.VersionId).toBe('v1');
  });

  it('keeps the storage class HeadObject reports', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, StorageClass: 'GLACIER' });
    await expect(handler({ object: objectEvent() })).resolves.toMatchObject({
      description: { storageClass: 'GLACIER' },
    });
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range, If-Match, VersionId)
  it('reads the first bytes once, as the sample of every enrichment stage, pinned to the described ETag and version', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, ContentLength: content.length, VersionId: 'v1' });
    const { sample } = (await handler({ object: objectEvent({ versionId: 'v1' }) })) as DescribedObject & {
      exists: true;
    };
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: 'uploads',
        Key: 'reports/q3 2026 (final).csv',
        VersionId: 'v1',
        Range: `bytes=0-${SAMPLE_BYTES - 1}`,
        IfMatch: '"d41d8cd98f00b204e9800998ecf8427e"',
      },
    ]);
    expect(Buffer.from(sample.data, 'base64')).toEqual(Buffer.from(content.subarray(0, SAMPLE_BYTES)));
    expect(sample).toMatchObject({ read: true, complete: false });
  });

  it('says when the sample is the whole object', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, ContentLength: 12 });
    s3.on(GetObjectCommand).resolves({ Body: body(content.subarray(0, 12)) });
    await expect(handler({ object: objectEvent() })).resolves.toMatchObject({
      sample: { read: true, complete: true },
    });
  });

  it.each([
    ['an empty object (nothing to read)', { ContentLength: 0 }],
    [
      'an archived object (GetObject answers InvalidObjectState until restored)',
      { StorageClass: 'DEEP_ARCHIVE' as const },
    ],
  ])('reads no sample of %s', async (_case, override) => {
    s3.on(HeadObjectCommand).resolves({ ...head, ...override });
    await expect(handler({ object: objectEvent() })).resolves.toMatchObject({
      sample: { read: false, data: '' },
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('fails with SupersededError when the object changes between HeadObject and the sample (412)', async () => {
    s3.on(GetObjectCommand).rejects(sdkError('PreconditionFailed', 412));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'SupersededError' });
  });

  it('fails with SupersededError when the object was overwritten after the event', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, ETag: '"ffffffffffffffffffffffffffffffff"' });
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({
      name: 'SupersededError',
      message: expect.stringContaining(
        'event ETag d41d8cd98f00b204e9800998ecf8427e, current ETag ffffffffffffffffffffffffffffffff',
      ),
    });
  });

  it('fails with ObjectNotFoundError when the object is gone', async () => {
    s3.on(HeadObjectCommand).rejects(sdkError('NotFound', 404));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
  });

  it('reads no tags when HeadObject counts none (S3 then sends no count)', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, TagCount: undefined });
    await expect(handler({ object: objectEvent() })).resolves.toMatchObject({ description: { tags: {} } });
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
  });

  it('reads no tags of an object that is gone', async () => {
    s3.on(HeadObjectCommand).rejects(sdkError('NotFound', 404));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
  });

  it('reads no tags of an object overwritten after the event', async () => {
    s3.on(HeadObjectCommand).resolves({ ...head, ETag: '"ffffffffffffffffffffffffffffffff"' });
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'SupersededError' });
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
  });

  it('fails with ThrottledError when reading the tags is throttled', async () => {
    s3.on(GetObjectTaggingCommand).rejects(sdkError('SlowDown', 503));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining('GetObjectTagging s3://uploads/'),
    });
  });

  it('fails with ObjectNotFoundError when the object is deleted while its tags are read', async () => {
    s3.on(GetObjectTaggingCommand).rejects(sdkError('NoSuchKey', 404));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
  });

  it('fails with ThrottledError when S3 asks to slow down', async () => {
    s3.on(HeadObjectCommand).rejects(sdkError('SlowDown', 503));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  it('fails with PermanentError when access is denied', async () => {
    s3.on(HeadObjectCommand).rejects(sdkError('Forbidden', 403));
    await expect(handler({ object: objectEvent() })).rejects.toMatchObject({ name: 'PermanentError' });
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Versioning"
  describe('mode current (a version permanently deleted in a versioned bucket)', () => {
    const removed = objectEvent({
      eventType: 'removed',
      eventName: 'ObjectRemoved:Delete',
      versionId: 'v2',
      size: undefined,
      eTag: undefined,
    });
    /** A 404 as the SDK throws it for a HEAD, with the raw response it keeps on the error. */
    function headNotFound(headers: Record<string, string>) {
      const error = sdkError('NotFound', 404);
      Object.defineProperty(error, '$response', { value: { statusCode: 404, headers }, enumerable: false });
      return error;
    }

    it('describes the version that is current now (HeadObject without a version id), with its sample', async () => {
      s3.on(HeadObjectCommand).resolves({
        ...head,
        ContentLength: content.length,
        VersionId: 'v1',
        TagCount: undefined,
      });
      const result = await handler({ object: removed, mode: 'current' });
      expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).not.toHaveProperty('VersionId');
      expect(result).toMatchObject({
        exists: true,
        description: { versionId: 'v1', contentType: 'text/csv' },
        sample: { read: true },
        removal: null,
      });
    });

    it('names the delete marker when one is current (404 with x-amz-delete-marker and its x-amz-version-id)', async () => {
      s3.on(HeadObjectCommand).rejects(
        headNotFound({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'marker-9' }),
      );
      await expect(handler({ object: removed, mode: 'current' })).resolves.toEqual({
        exists: false,
        description: null,
        sample: null,
        removal: { deleteMarkerVersionId: 'marker-9' },
      });
    });

    it('says nothing is current when the key has no version left (a plain 404)', async () => {
      s3.on(HeadObjectCommand).rejects(headNotFound({}));
      await expect(handler({ object: removed, mode: 'current' })).resolves.toMatchObject({
        exists: false,
        removal: {},
      });
    });
  });

  describe('mode metadata (tags, Lifecycle transition, restore)', () => {
    it('reads storage class, restore state and tags, never the content', async () => {
      s3.on(HeadObjectCommand).resolves({
        ...head,
        StorageClass: 'GLACIER',
        Restore: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"',
      });
      await expect(
        handler({
          object: objectEvent({ eventType: 'updated', eventName: 'ObjectRestore:Completed' }),
          mode: 'metadata',
        }),
      ).resolves.toEqual({
        update: {
          storageClass: 'GLACIER',
          tags: { project: 'q3' },
          restore: { ongoing: false, expiryDate: '2012-12-21T00:00:00.000Z' },
        },
      });
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    });

    it('reports a restore in progress (x-amz-restore: ongoing-request="true")', async () => {
      s3.on(HeadObjectCommand).resolves({
        ...head,
        StorageClass: 'DEEP_ARCHIVE',
        Restore: 'ongoing-request="true"',
      });
      await expect(
        handler({
          object: objectEvent({ eventType: 'updated', eventName: 'ObjectRestore:Post' }),
          mode: 'metadata',
        }),
      ).resolves.toMatchObject({ update: { restore: { ongoing: true } } });
    });
  });

  it('rejects input without an object event', async () => {
    await expect(handler({})).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('describe-object input is not valid: object: '),
    });
  });
});
