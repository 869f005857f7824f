import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeETag } from '../functions/core/s3-event';
import type { Runtime } from './runtime';
import { startDemoSubscribers } from './sns/demo-subscribers';
import type { NotificationTap } from './trace';

/**
 * `npm run demo`: uploads varied sample files through the S3 API, waits for
 * their records and notifications, prints them, and says whether everything
 * arrived as expected.
 */

const SAMPLES = join(__dirname, 'samples');
const sample = (name: string) => readFileSync(join(SAMPLES, name));

/** What the table must show for a key once the pipeline is done. */
interface Expectation {
  key: string;
  status: 'present' | 'deleted';
  eTag?: string;
}

/** 9 MiB of deterministic bytes: a multipart upload of two parts, as the AWS CLI sends files over 8 MB. */
function largeFile(): Buffer {
  const data = Buffer.alloc(9 * 1024 * 1024);
  for (let offset = 0; offset < data.length; offset += 32) {
    createHash('sha256').update(String(offset)).digest().copy(data, offset);
  }
  return data;
}

async function uploadSamples(
  s3: S3Client,
  bucket: string,
  write: (line: string) => void,
): Promise<Expectation[]> {
  const expectations: Expectation[] = [];
  const put = async (
    key: string,
    body: Buffer | Readable,
    contentType: string,
    extra: Record<string, unknown> = {},
  ) => {
    const response = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ...extra }),
    );
    write(`  ↑ put          s3://${bucket}/${key}  (${contentType})`);
    return normalizeETag(response.ETag ?? '');
  };
  const files: [string, string, string, Record<string, unknown>?][] = [
    [
      'images/photo.png',
      'photo.png',
      'image/png',
      { Metadata: { camera: 'demo-cam' }, Tagging: 'project=demo&stage=raw' },
    ],
    ['images/mislabeled.jpg', 'photo.png', 'image/jpeg'],
    ['images/pixel.gif', 'pixel.gif', 'image/gif'],
    ['documents/invoice 2026.pdf', 'invoice.pdf', 'application/pdf'],
    [
      'documents/notes.docx',
      'notes.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    ['reports/sales 2026 é.csv', 'sales 2026 é.csv', 'text/csv'],
    ['archives/bundle.zip', 'bundle.zip', 'application/zip'],
    ['logs/server.log.gz', 'server.log.gz', 'application/gzip'],
    ['audio/beep.wav', 'beep.wav', 'audio/wav'],
    ['photos/camera.jpg', 'camera.jpg', 'image/jpeg'],
    ['images/tile.webp', 'tile.webp', 'image/webp'],
    ['audio/tone.mp3', 'tone.mp3', 'audio/mpeg'],
    ['video/clip.mp4', 'clip.mp4', 'video/mp4'],
  ];
  for (const [key, file, contentType, extra] of files) {
    expectations.push({ key, status: 'present', eTag: await put(key, sample(file), contentType, extra) });
  }
  // A streamed body: the SDK sends it aws-chunked with a trailing checksum.
  const json = sample('reading.json');
  expectations.push({
    key: 'data/reading.json',
    status: 'present',
    eTag: await put('data/reading.json', Readable.from([json]), 'application/json', {
      ContentLength: json.length,
    }),
  });

  const big = largeFile();
  const key = 'backups/archive-2026.bin';
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }),
  );
  const partSize = 8 * 1024 * 1024;
  const parts = [];
  for (let start = 0, number = 1; start < big.length; start += partSize, number += 1) {
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        PartNumber: number,
        Body: big.subarray(start, start + partSize),
      }),
    );
    parts.push({ ETag: part.ETag, PartNumber: number });
  }
  const completed = await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  write(
    `  ↑ multipart    s3://${bucket}/${key}  (${parts.length} parts, ${(big.length / 1024 / 1024).toFixed(0)} MiB)`,
  );
  expectations.push({ key, status: 'present', eTag: normalizeETag(completed.ETag ?? '') });

  await put('reports/status.txt', Buffer.from('status: draft\n'), 'text/plain');
  expectations.push({
    key: 'reports/status.txt',
    status: 'present',
    eTag: await put('reports/status.txt', Buffer.from('status: final\n'), 'text/plain'),
  });
  write('    (overwritten: the record must show the second version)');

  await put('tmp/scratch.txt', Buffer.from('temporary\n'), 'text/plain');
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tmp/scratch.txt' }));
  write(`  ✗ delete       s3://${bucket}/tmp/scratch.txt`);
  expectations.push({ key: 'tmp/scratch.txt', status: 'deleted' });
  return expectations;
}

type Item = Record<string, unknown>;

function met(expectation: Expectation, item: Item | undefined): boolean {
  if (item === undefined || item.Status !== expectation.status) return false;
  return expectation.eTag === undefined || item.ETag === expectation.eTag;
}

/** What the media inspection stage found: dimensions, pages, duration, camera. */
function media(item: Item): string {
  const parts: string[] = [];
  if (item.ImageWidth !== undefined) parts.push(`${item.ImageWidth}x${item.ImageHeight}`);
  if (item.PageCount !== undefined) parts.push(`${item.PageCount} page(s), PDF ${item.PdfVersion ?? '?'}`);
  if (item.DurationSeconds !== undefined) parts.push(`${item.DurationSeconds} s`);
  if (item.CameraModel !== undefined) parts.push(String(item.CameraModel));
  if (item.CapturedAt !== undefined) parts.push(String(item.CapturedAt).slice(0, 10));
  return parts.join(', ');
}

function table(items: Item[]): string {
  const columns: [string, (item: Item) => string, number][] = [
    ['Key', (item) => String(item.ObjectKey), 28],
    ['Status', (item) => String(item.Status), 8],
    ['Size', (item) => (item.FileSize === undefined ? '' : String(item.FileSize)), 9],
    ['Content-Type', (item) => String(item.ContentType ?? ''), 24],
    ['Detected', (item) => String(item.DetectedContentType ?? ''), 24],
    ['Category', (item) => String(item.Category ?? ''), 9],
    ['Mismatch', (item) => (item.ContentTypeMismatch === true ? 'YES' : ''), 8],
    ['Media', media, 30],
    ['ETag', (item) => String(item.ETag ?? '').slice(0, 14), 14],
  ];
  const cell = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
  const header = columns.map(([name, , width]) => cell(name, width)).join(' ');
  const rows = items.map((item) => columns.map(([, value, width]) => cell(value(item), width)).join(' '));
  return [header, '-'.repeat(header.length), ...rows].map((line) => `  ${line}`).join('\n');
}

/** Runs the demo against a started runtime; resolves true when every record and notification arrived. */
export async function runDemo(
  runtime: Runtime,
  tap: NotificationTap,
  write: (line: string) => void,
  timeoutMs = 90_000,
): Promise<boolean> {
  const client = {
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const s3 = new S3Client(client);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(client));
  const bucket = runtime.resources.bucket;
  // A webhook (the example receiver, verifying signatures) and an email address, as people subscribe.
  const subscribers = await startDemoSubscribers(runtime, write);

  write('\nUploading sample files...');
  const expectations = await uploadSamples(s3, bucket, write);

  write('\nWaiting for their records and notifications...');
  const deadline = Date.now() + timeoutMs;
  let items: Item[] = [];
  const notified = (expectation: Expectation) =>
    tap.received.some(
      (notification) =>
        notification.document.key === expectation.key &&
        notification.document.type ===
          (expectation.status === 'deleted' ? 'object.deleted' : 'object.created') &&
        (expectation.eTag === undefined ||
          (notification.document.object as { eTag?: string } | undefined)?.eTag === expectation.eTag),
    );
  for (;;) {
    items = (await dynamo.send(new ScanCommand({ TableName: runtime.resources.tableName }))).Items ?? [];
    const byKey = new Map(
      items.filter((item) => item.BucketName === bucket).map((item) => [String(item.ObjectKey), item]),
    );
    const missing = expectations.filter(
      (expectation) => !met(expectation, byKey.get(expectation.key)) || !notified(expectation),
    );
    if (missing.length === 0) break;
    if (Date.now() > deadline) {
      write(
        `\nGave up after ${timeoutMs / 1000} s; still waiting for: ${missing.map((expectation) => expectation.key).join(', ')}`,
      );
      write(`\n${table(items)}`);
      await subscribers.stop();
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const keys = new Set(expectations.map((expectation) => expectation.key));
  const shown = items
    .filter((item) => keys.has(String(item.ObjectKey)))
    .sort((a, b) => String(a.ObjectKey).localeCompare(String(b.ObjectKey)));
  write(`\nThe metadata table (${runtime.resources.tableName}):\n${table(shown)}`);
  const byType = new Map<string, number>();
  for (const notification of tap.received)
    byType.set(notification.document.type, (byType.get(notification.document.type) ?? 0) + 1);
  write(
    `\nNotifications received: ${tap.received.length} (${[...byType].map(([type, count]) => `${count} ${type}`).join(', ')}).`,
  );
  const example = tap.received.find((notification) => notification.document.key === 'images/photo.png');
  if (example !== undefined) {
    write(`One of them, as a webhook receives it (attributes: ${JSON.stringify(example.attributes)}):`);
    write(JSON.stringify(example.document, null, 2).replace(/^/gm, '  '));
  }
  const delivered = await subscribers.show('images/photo.png', Math.max(deadline - Date.now(), 10_000));
  await subscribers.stop();
  if (!delivered) return false;
  write(`\nAll ${expectations.length} objects are recorded as expected.`);
  return true;
}
