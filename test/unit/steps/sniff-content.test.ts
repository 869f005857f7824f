import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
