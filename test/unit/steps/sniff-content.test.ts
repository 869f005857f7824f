import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/sniff-content';
import { SNIFF_BYTES } from '../../../functions/sniff-content/sniff-content';
import { objectDescription, objectEvent } from '../../support/fixtures';

const s3 = mockClient(S3Client);
const png = readFileSync(join(__dirname, '..', '..', '..', 'local', 'samples', 'photo.png'));
// The part of the SDK's streaming body the stage uses.
const body = (data: Uint8Array) => ({ transformToByteArray: async () => new Uint8Array(data) }) as never;

const description = objectDescription({
  contentType: 'image/png',
  size: png.length,
  eTag: 'b1946ac92492d2347c6235b4d2611184',
});
const object = objectEvent({ key: 'images/cat.png', eTag: description.eTag, size: png.length });

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).callsFake(async () => ({ Body: body(png) }));
});

describe('sniff-content handler', () => {
  it('detects the type and category from the first bytes', async () => {
    await expect(handler({ object, description })).resolves.toEqual({
      stage: 'content-sniffing',
      attributes: {
        DetectedContentType: 'image/png',
        Category: 'image',
        ContentTypeMismatch: false,
        Sniffed: true,
      },
    });
  });

  it('reads only the first bytes, of the version it was told about', async () => {
    await handler({ object, description: { ...description, versionId: 'v7' } });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'uploads',
      Key: 'images/cat.png',
      VersionId: 'v7',
      Range: `bytes=0-${SNIFF_BYTES - 1}`,
      IfMatch: '"b1946ac92492d2347c6235b4d2611184"',
    });
  });

  it('flags a declared type the bytes disagree with', async () => {
    const result = await handler({ object, description: { ...description, contentType: 'image/jpeg' } });
    expect(result.attributes).toMatchObject({ DetectedContentType: 'image/png', ContentTypeMismatch: true });
  });

  it('does not read an empty object', async () => {
    const result = await handler({
      object,
      description: { ...description, size: 0, contentType: 'text/plain' },
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(result.attributes).toEqual({
      DetectedContentType: null,
      Category: 'text',
      ContentTypeMismatch: false,
      Sniffed: false,
    });
  });

  it('does not read an archived object, categorizing it by its declared type', async () => {
    const result = await handler({ object, description: { ...description, storageClass: 'DEEP_ARCHIVE' } });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(result.attributes).toMatchObject({ Category: 'image', Sniffed: false });
  });

  it('fails with SupersededError when the object changed since it was described', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    await expect(handler({ object, description })).rejects.toMatchObject({ name: 'SupersededError' });
  });

  it('rejects input without a description', async () => {
    await expect(handler({ object })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
