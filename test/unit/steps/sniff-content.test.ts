import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { toSample, UNREAD_SAMPLE } from '../../../functions/core/enrichment';
import { handler } from '../../../functions/sniff-content';
import { objectDescription, objectEvent } from '../../support/fixtures';

const png = readFileSync(join(__dirname, '..', '..', '..', 'local', 'samples', 'photo.png'));

const description = objectDescription({
  contentType: 'image/png',
  size: png.length,
  eTag: 'b1946ac92492d2347c6235b4d2611184',
});
const object = objectEvent({ key: 'images/cat.png', eTag: description.eTag, size: png.length });
const sample = toSample(png, png.length);

describe('sniff-content handler', () => {
  it('detects the type and category from the sample of the first bytes', async () => {
    await expect(handler({ object, description, sample })).resolves.toEqual({
      stage: 'content-sniffing',
      attributes: {
        DetectedContentType: 'image/png',
        DetectedContentEncoding: null,
        Category: 'image',
        ContentTypeMismatch: false,
        Sniffed: true,
      },
    });
  });

  it('flags a declared type the bytes disagree with', async () => {
    const result = await handler({
      object,
      description: { ...description, contentType: 'image/jpeg' },
      sample,
    });
    expect(result.attributes).toMatchObject({ DetectedContentType: 'image/png', ContentTypeMismatch: true });
  });

  it('judges an object with no sample (empty or archived) by its declared type, unsniffed', async () => {
    const result = await handler({
      object,
      description: { ...description, size: 0, contentType: 'text/plain' },
      sample: UNREAD_SAMPLE,
    });
    expect(result.attributes).toEqual({
      DetectedContentType: null,
      DetectedContentEncoding: null,
      Category: 'text',
      ContentTypeMismatch: false,
      Sniffed: false,
    });
  });

  it('rejects input without a description', async () => {
    await expect(handler({ object, sample })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  it('rejects input without the sample (the stage contract, functions/core/enrichment.ts)', async () => {
    await expect(handler({ object, description })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('sample'),
    });
  });
});

// https://www.rfc-editor.org/rfc/rfc9110#name-content-encoding: the content is what the coding wraps.
describe('sniff-content with a Content-Encoding', () => {
  const json = Buffer.from(JSON.stringify({ readings: Array.from({ length: 2000 }, (_, index) => index) }));
  const encoded: [string, Buffer][] = [
    ['gzip', gzipSync(json)],
    ['br', brotliCompressSync(json)],
    ['deflate', deflateSync(json)],
    ['zstd', zstdCompressSync(json)],
  ];

  it.each(encoded)(
    'judges a %s-encoded object by its decoded content, not as a mismatch',
    async (coding, body) => {
      const result = await handler({
        object,
        description: {
          ...description,
          contentType: 'application/json',
          contentEncoding: coding,
          size: body.length,
        },
        sample: toSample(body, body.length),
      });
      expect(result.attributes).toMatchObject({
        DetectedContentType: 'application/json',
        DetectedContentEncoding: coding,
        Category: 'text',
        ContentTypeMismatch: false,
      });
    },
  );

  it('decodes a sample cut short (the first 4 KiB of a larger gzip object)', async () => {
    const big = gzipSync(
      Buffer.from(`${'timestamp,level,message\n'}${'2026-11-26T10:00:00Z,INFO,ok\n'.repeat(20_000)}`),
    );
    const result = await handler({
      object,
      description: { ...description, contentType: 'text/csv', contentEncoding: 'gzip', size: big.length },
      sample: toSample(big, big.length),
    });
    expect(result.attributes).toMatchObject({
      DetectedContentEncoding: 'gzip',
      Category: 'text',
      ContentTypeMismatch: false,
    });
  });

  it('judges the bytes as they are when they are not in the declared coding', async () => {
    const result = await handler({
      object,
      description: { ...description, contentType: 'image/png', contentEncoding: 'gzip' },
      sample,
    });
    expect(result.attributes).toMatchObject({
      DetectedContentType: 'image/png',
      DetectedContentEncoding: null,
    });
  });

  it('still flags a gzip body declared as JSON without a Content-Encoding', async () => {
    const body = gzipSync(json);
    const result = await handler({
      object,
      description: { ...description, contentType: 'application/json', size: body.length },
      sample: toSample(body, body.length),
    });
    expect(result.attributes).toMatchObject({
      DetectedContentType: 'application/gzip',
      ContentTypeMismatch: true,
    });
  });
});
