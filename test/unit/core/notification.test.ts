import { eventId } from '../../../functions/core/execution-name';
import type { MetadataItem } from '../../../functions/core/metadata-item';
import {
  buildNotification,
  NOTIFICATION_SCHEMA_VERSION,
  notificationBytes,
  notificationTypeOf,
  toSubject,
} from '../../../functions/core/notification';
import { EXECUTION_ARN, objectEvent } from '../../support/fixtures';

const item: MetadataItem = {
  BucketName: 'uploads',
  ObjectKey: 'reports/q3 2026 (final).csv',
  Status: 'present',
  EventName: 'ObjectCreated:Put',
  RecordType: 'CREATE',
  IsDeleteMarker: false,
  Sequencer: '0055AED6DCD90281E5'.padStart(64, '0'),
  ExecutionArn: EXECUTION_ARN,
  UploadTime: '2026-11-25T10:15:30.123Z',
  UploadDay: '2026-11-25',
  ProcessedAt: '2026-11-25T10:15:31.000Z',
  FileSize: 1536,
  ETag: 'd41d8cd98f00b204e9800998ecf8427e',
  ContentType: 'text/csv',
  StorageClass: 'STANDARD',
  UserMetadata: { owner: 'finance' },
  Tags: { project: 'q3' },
  Category: 'text',
  DetectedContentType: 'text/csv',
};

function parse(message: string) {
  const structure = JSON.parse(message) as { default: string; email: string };
  return { document: JSON.parse(structure.default), email: structure.email, keys: Object.keys(structure) };
}

describe('buildNotification for a recorded object', () => {
  const notification = buildNotification({
    kind: 'recorded',
    object: objectEvent(),
    item,
    executionArn: EXECUTION_ARN,
  });

  it('sends one MessageStructure json message with a default (JSON) and an email (text) body', () => {
    expect(notification.messageStructure).toBe('json');
    expect(parse(notification.message).keys).toEqual(['default', 'email']);
  });

  it('carries a versioned JSON document with a stable id', () => {
    const { document } = parse(notification.message);
    expect(document).toMatchObject({
      schemaVersion: NOTIFICATION_SCHEMA_VERSION,
      id: eventId(objectEvent()),
      type: 'object.created',
      bucket: 'uploads',
      key: 'reports/q3 2026 (final).csv',
      sequencer: '0055AED6DCD90281E5',
      executionArn: EXECUTION_ARN,
      object: {
        status: 'present',
        size: 1536,
        contentType: 'text/csv',
        userMetadata: { owner: 'finance' },
        tags: { project: 'q3' },
        enrichment: { Category: 'text', DetectedContentType: 'text/csv' },
      },
    });
  });

  it('has a readable subject and email body', () => {
    expect(notification.subject).toBe('New object: s3://uploads/reports/q3 2026 (final).csv');
    const { email } = parse(notification.message);
    expect(email).toContain('A new object was recorded.');
    expect(email).toMatch(/Size:\s+1\.5 KB \(1,536 bytes\)/);
    expect(email).toMatch(/Content type:\s+text\/csv/);
    expect(email).toMatch(/Metadata:\s+owner=finance/);
  });

  it('sets message attributes subscribers can filter on', () => {
    expect(notification.attributes).toEqual({
      bucket: { DataType: 'String', StringValue: 'uploads' },
      key: { DataType: 'String', StringValue: 'reports/q3 2026 (final).csv' },
      eventType: { DataType: 'String', StringValue: 'created' },
      eventName: { DataType: 'String', StringValue: 'ObjectCreated:Put' },
      contentType: { DataType: 'String', StringValue: 'text/csv' },
      category: { DataType: 'String', StringValue: 'text' },
      size: { DataType: 'Number', StringValue: '1536' },
    });
  });
});

describe('buildNotification for other outcomes', () => {
  it('reports a deletion', () => {
    const tombstone: MetadataItem = { ...item, Status: 'deleted', DeletedAt: '2026-11-26T00:00:00.000Z' };
    const notification = buildNotification({
      kind: 'recorded',
      object: objectEvent({ eventType: 'removed', eventName: 'ObjectRemoved:Delete', sequencer: 'FF' }),
      item: tombstone,
    });
    expect(notification.subject).toBe('Deleted: s3://uploads/reports/q3 2026 (final).csv');
    expect(notification.attributes.eventType?.StringValue).toBe('deleted');
    expect(parse(notification.message).document.object.deletedAt).toBe('2026-11-26T00:00:00.000Z');
  });

  it('reports a failure with the error and cause', () => {
    const notification = buildNotification({
      kind: 'failed',
      object: objectEvent(),
      error: 'PermanentError',
      cause: 'HeadObject failed: AccessDenied',
    });
    expect(notification.subject).toBe('FAILED to record: s3://uploads/reports/q3 2026 (final).csv');
    expect(parse(notification.message).document).toMatchObject({
      type: 'object.failed',
      failure: { error: 'PermanentError', cause: 'HeadObject failed: AccessDenied' },
    });
    expect(notification.attributes.eventType?.StringValue).toBe('failed');
  });

  it('gives a failure notice an id of its own, so the success after a Redrive is not dropped as its repeat', () => {
    const object = objectEvent();
    const failed = buildNotification({ kind: 'failed', object, error: 'PermanentError', cause: 'denied' });
    const recorded = buildNotification({ kind: 'recorded', object, item });
    expect(recorded.document.id).toBe(eventId(object));
    expect(failed.document.id).toMatch(/^[0-9a-f]{32}$/);
    expect(failed.document.id).not.toBe(recorded.document.id);
    // Stable: the same failure notified twice has one id.
    expect(buildNotification({ kind: 'failed', object, error: 'x', cause: 'y' }).document.id).toBe(
      failed.document.id,
    );
  });

  it('cuts a huge failure cause', () => {
    const notification = buildNotification({
      kind: 'failed',
      object: objectEvent(),
      error: 'E',
      cause: 'x'.repeat(100_000),
    });
    expect(parse(notification.message).document.failure.cause.length).toBeLessThan(5_000);
  });
});

describe('notification types', () => {
  it.each([
    [
      'a created event',
      { eventType: 'created', eventName: 'ObjectCreated:Put' },
      'present',
      'object.created',
    ],
    [
      'a removal that left no current version',
      { eventType: 'removed', eventName: 'ObjectRemoved:Delete' },
      'deleted',
      'object.deleted',
    ],
    [
      'a removal that left an older version current',
      { eventType: 'removed', eventName: 'ObjectRemoved:Delete' },
      'present',
      'object.updated',
    ],
    [
      'a tag change',
      { eventType: 'updated', eventName: 'ObjectTagging:Put' },
      'present',
      'object.tags-changed',
    ],
    [
      'tags deleted',
      { eventType: 'updated', eventName: 'ObjectTagging:Delete' },
      'present',
      'object.tags-changed',
    ],
    [
      'a Lifecycle transition',
      { eventType: 'updated', eventName: 'LifecycleTransition' },
      'present',
      'object.updated',
    ],
    [
      'a completed restore',
      { eventType: 'updated', eventName: 'ObjectRestore:Completed' },
      'present',
      'object.updated',
    ],
  ] as const)('names %s %s', (_case, event, status, type) => {
    expect(notificationTypeOf(event, { Status: status })).toBe(type);
  });

  it('sends a tag change with the new tags, its type as a filterable attribute, and no sequencer (S3 sends none)', () => {
    const notification = buildNotification({
      kind: 'recorded',
      object: objectEvent({ eventType: 'updated', eventName: 'ObjectTagging:Put', sequencer: undefined }),
      item: { ...item, Tags: { project: 'q4' }, RecordType: 'UPDATE_METADATA' },
    });
    expect(notification.document).toMatchObject({
      type: 'object.tags-changed',
      object: { tags: { project: 'q4' }, recordType: 'UPDATE_METADATA' },
    });
    expect(notification.document).not.toHaveProperty('sequencer');
    expect(notification.attributes.eventType).toEqual({ DataType: 'String', StringValue: 'tags-changed' });
    expect(notification.subject).toBe('Tags changed: s3://uploads/reports/q3 2026 (final).csv');
  });
});

describe('size limit', () => {
  it('empties user metadata first when the message would be too large, and says so', () => {
    const large: MetadataItem = { ...item, UserMetadata: { blob: 'x'.repeat(5_000) } };
    const notification = buildNotification({ kind: 'recorded', object: objectEvent(), item: large }, 8_000);
    const { document, email } = parse(notification.message);
    expect(notificationBytes(notification)).toBeLessThanOrEqual(8_000);
    expect(document.object.userMetadata).toBeUndefined();
    expect(document.object.tags).toEqual({ project: 'q3' });
    expect(document.truncated).toEqual(['userMetadata']);
    expect(email).toContain('userMetadata (too large for SNS)');
  });

  it('keeps everything when it fits', () => {
    const notification = buildNotification({ kind: 'recorded', object: objectEvent(), item });
    expect(parse(notification.message).document.truncated).toBeUndefined();
  });
});

describe('toSubject', () => {
  it('replaces non-ASCII and control characters, as SNS requires', () => {
    expect(toSubject('New: café\n🎉')).toBe('New: caf???');
  });

  it('stays under 100 characters', () => {
    expect(toSubject('k'.repeat(500))).toHaveLength(99);
  });
});
