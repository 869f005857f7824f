import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectDescription } from '../../functions/core/metadata-item';
import type { ObjectEvent } from '../../functions/core/object-event';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** Reads a fixture file under test/fixtures/ as JSON. */
export function fixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

/** A raw fixture file's text (for SQS bodies, which are strings). */
export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** An SQS event carrying the given bodies, shaped as Lambda delivers it. */
export function sqsEventOf(...bodies: string[]) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `message-${index + 1}`,
      receiptHandle: `receipt-${index + 1}`,
      body,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:ingest',
      awsRegion: 'eu-west-1',
    })),
  };
}

/** A normalized object event with sensible defaults. */
export function objectEvent(overrides: Partial<ObjectEvent> = {}): ObjectEvent {
  return {
    bucket: 'uploads',
    key: 'reports/q3 2026 (final).csv',
    eventName: 'ObjectCreated:Put',
    eventType: 'created',
    eventTime: '2026-11-25T10:15:30.123Z',
    sequencer: '0055AED6DCD90281E5',
    size: 1024,
    eTag: 'd41d8cd98f00b204e9800998ecf8427e',
    region: 'eu-west-1',
    ...overrides,
  };
}

export const EXECUTION_ARN =
  'arn:aws:states:eu-west-1:123456789012:execution:metadata-pipeline:q3_2026_final_csv-0123';

/** What describe-object returns for `objectEvent()`'s object (same size and ETag), with overrides. */
export function objectDescription(overrides: Partial<ObjectDescription> = {}): ObjectDescription {
  return {
    contentType: 'text/csv',
    size: 1024,
    eTag: 'd41d8cd98f00b204e9800998ecf8427e',
    lastModified: '2026-11-25T10:15:30.000Z',
    storageClass: 'STANDARD',
    userMetadata: {},
    tags: {},
    ...overrides,
  };
}
