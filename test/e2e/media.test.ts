import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { normalizeETag } from '../../functions/core/s3-event';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

// The media inspection stage end to end: real uploads through the S3 API, the real workflow and handlers,
// the items read back from DynamoDB Local. Expected values were read off the files with other tools
// (exiftool, pdfinfo, ffprobe), not with our code.
const ROOT = join(__dirname, '..', '..');
const { s3, item } = clientsFor(e2eEndpoint());

async function upload(key: string, body: Uint8Array, contentType: string) {
  const put = await s3.send(
    new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: body, ContentType: contentType }),
  );
  const eTag = normalizeETag(put.ETag ?? '');
  return eventually(
    async () => {
      const found = await item(key);
      return found?.ETag === eTag ? found : undefined;
    },
    30_000,
    `the item of ${key}`,
  );
}

describe('media inspection, end to end', () => {
  it('records the dimensions, capture time and camera of a JPEG with EXIF', async () => {
    const recorded = await upload(
      'e2e-media/camera.jpg',
      readFileSync(join(ROOT, 'local', 'samples', 'camera.jpg')),
      'image/jpeg',
    );
    expect(recorded).toMatchObject({
      ImageWidth: 160,
      ImageHeight: 120,
      CapturedAt: '2026-05-17T09:30:15+02:00',
      CameraModel: 'Acme Shutterbug 3',
      Category: 'image',
    });
  });

  it('records the page count and version of a PDF', async () => {
    const recorded = await upload(
      'e2e-media/invoice.pdf',
      readFileSync(join(ROOT, 'local', 'samples', 'invoice.pdf')),
      'application/pdf',
    );
    expect(recorded).toMatchObject({ PageCount: 1, PdfVersion: '1.4' });
  });

  it('records a truncated image with no media fields, as a success (the rest of the item is there)', async () => {
    const recorded = await upload(
      'e2e-media/truncated.jpg',
      readFileSync(join(ROOT, 'test', 'fixtures', 'media', 'truncated.jpg')),
      'image/jpeg',
    );
    expect(recorded).toMatchObject({
      Status: 'present',
      ContentType: 'image/jpeg',
      DetectedContentType: 'image/jpeg',
    });
    for (const field of ['ImageWidth', 'ImageHeight', 'CapturedAt', 'CameraModel']) {
      expect(recorded).not.toHaveProperty(field);
    }
  });
});
