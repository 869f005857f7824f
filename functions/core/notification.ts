import { createHash } from 'node:crypto';
import { eventId } from './execution-name';
import { CORE_ATTRIBUTES, type MetadataItem } from './metadata-item';
import type { ObjectEvent } from './object-event';

/**
 * Notifications: one SNS message per recorded event, readable by people
 * (email: subject and plain text) and by programs (webhooks, queues: a
 * versioned JSON document), sent as a single `MessageStructure: json` message.
 * The document's schema is described in docs/notifications.md.
 */

export const NOTIFICATION_SCHEMA_VERSION = '1.0';

/** SNS rejects messages over 256 KiB, message attributes included. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** Longest failure cause kept in a notification: enough for an error and its context, never a whole dump. */
const MAX_CAUSE_CHARS = 4_096;

/**
 * - `object.created`: a new object (or version) was recorded;
 * - `object.deleted`: the key has no current version any more (or a delete marker is current);
 * - `object.updated`: a removal left an older version current (versioned bucket), or a
 *   Lifecycle transition or a restore changed the object's storage state;
 * - `object.tags-changed`: the object's tags were put or deleted;
 * - `object.failed`: the event could not be recorded.
 */
export type NotificationType =
  | 'object.created'
  | 'object.deleted'
  | 'object.updated'
  | 'object.tags-changed'
  | 'object.failed';

/** The JSON document webhook and queue subscribers receive (the message's `default`). */
export interface NotificationDocument {
  schemaVersion: typeof NOTIFICATION_SCHEMA_VERSION;
  /** Stable per S3 event (bucket, key, version, sequencer): subscribers drop repeats with it. */
  id: string;
  type: NotificationType;
  bucket: string;
  key: string;
  versionId?: string;
  eventName: string;
  eventTime: string;
  /** Absent for metadata events, which S3 sends without one. */
  sequencer?: string;
  object?: {
    status: MetadataItem['Status'];
    isDeleteMarker?: boolean;
    recordType?: MetadataItem['RecordType'];
    size?: number;
    eTag?: string;
    contentType?: string;
    storageClass?: string;
    restoreStatus?: string;
    restoreExpiryDate?: string;
    lastModified?: string;
    deletedAt?: string;
    userMetadata?: Record<string, string>;
    tags?: Record<string, string>;
    /** Attributes added by enrichment stages, e.g. Category, DetectedContentType. */
    enrichment?: Record<string, unknown>;
  };
  failure?: { error: string; cause: string };
  executionArn?: string;
  /** Fields emptied to keep the message under the SNS size limit. */
  truncated?: string[];
}

/** An SNS message attribute (the shape PublishCommand takes). */
export interface MessageAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

/** Everything PublishCommand needs, besides the topic. */
export interface SnsNotification {
  subject: string;
  message: string;
  messageStructure: 'json';
  attributes: Record<string, MessageAttribute>;
  document: NotificationDocument;
}

/** The outcome a notification reports. */
export type NotificationInput =
  | { kind: 'recorded'; object: ObjectEvent; item: MetadataItem; executionArn?: string }
  | { kind: 'failed'; object: ObjectEvent; error: string; cause: string; executionArn?: string };

function enrichmentOf(item: MetadataItem): Record<string, unknown> | undefined {
  const entries = Object.entries(item).filter(([name]) => !CORE_ATTRIBUTES.has(name));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * The notification's id: the event's id (bucket, key, version, sequencer), so
 * that a repeat of the same notification has the same id; a failure notice
 * has an id of its own, so that the success that follows a Redrive of the
 * same event is not taken for a repeat of it.
 */
export function notificationId(object: ObjectEvent, type: NotificationType): string {
  const id = eventId(object);
  return type === 'object.failed'
    ? createHash('sha256').update(`${id}:failed`).digest('hex').slice(0, 32)
    : id;
}

function baseDocument(input: NotificationInput, type: NotificationType): NotificationDocument {
  const { object } = input;
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    id: notificationId(object, type),
    type,
    bucket: object.bucket,
    key: object.key,
    ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    eventName: object.eventName,
    eventTime: object.eventTime,
    ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
    ...(input.executionArn !== undefined ? { executionArn: input.executionArn } : {}),
  };
}

function buildDocument(input: NotificationInput): NotificationDocument {
  if (input.kind === 'failed') {
    const cause =
      input.cause.length > MAX_CAUSE_CHARS ? `${input.cause.slice(0, MAX_CAUSE_CHARS)}...` : input.cause;
    return { ...baseDocument(input, 'object.failed'), failure: { error: input.error, cause } };
  }
  const { item } = input;
  const object: NonNullable<NotificationDocument['object']> = { status: item.Status };
  if (item.RecordType !== undefined) object.recordType = item.RecordType;
  if (item.IsDeleteMarker === true) object.isDeleteMarker = true;
  if (item.RestoreStatus !== undefined) object.restoreStatus = item.RestoreStatus;
  if (item.RestoreExpiryDate !== undefined) object.restoreExpiryDate = item.RestoreExpiryDate;
  if (item.FileSize !== undefined) object.size = item.FileSize;
  if (item.ETag !== undefined) object.eTag = item.ETag;
  if (item.ContentType !== undefined) object.contentType = item.ContentType;
  if (item.StorageClass !== undefined) object.storageClass = item.StorageClass;
  if (item.LastModified !== undefined) object.lastModified = item.LastModified;
  if (item.DeletedAt !== undefined) object.deletedAt = item.DeletedAt;
  if (item.UserMetadata !== undefined) object.userMetadata = item.UserMetadata;
  if (item.Tags !== undefined) object.tags = item.Tags;
  const enrichment = enrichmentOf(item);
  if (enrichment !== undefined) object.enrichment = enrichment;
  return { ...baseDocument(input, notificationTypeOf(input.object, item)), object };
}

/** The type of a recorded event's notification, from the event and the state it left the item in. */
export function notificationTypeOf(
  event: Pick<ObjectEvent, 'eventType' | 'eventName'>,
  item: Pick<MetadataItem, 'Status'>,
): NotificationType {
  if (item.Status === 'deleted') return 'object.deleted';
  if (event.eventType === 'created') return 'object.created';
  if (event.eventName.startsWith('ObjectTagging:')) return 'object.tags-changed';
  return 'object.updated';
}

/**
 * SNS subjects: ASCII, no control characters, under 100 characters.
 * Anything else is replaced, so an exotic key never makes Publish fail.
 */
export function toSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7E]/gu, '?').trim();
  return ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
}

function formatBytes(size: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0
    ? `${size} bytes`
    : `${value.toFixed(1)} ${units[unit]} (${size.toLocaleString('en-US')} bytes)`;
}

function formatMap(map: Record<string, unknown> | undefined): string {
  if (map === undefined || Object.keys(map).length === 0) return '(none)';
  return Object.entries(map)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

function emailText(document: NotificationDocument): string {
  const lines: string[] = [];
  const row = (label: string, value: string | number | undefined) => {
    if (value !== undefined) lines.push(`${`${label}:`.padEnd(Math.max(16, label.length + 2))}${value}`);
  };
  const headline = {
    'object.created': 'A new object was recorded.',
    'object.deleted': 'An object was deleted.',
    'object.updated': 'An object changed: its current version, storage class or restore state.',
    'object.tags-changed': "An object's tags changed.",
    'object.failed': 'An object could not be recorded.',
  }[document.type];
  lines.push(headline, '');
  row('Bucket', document.bucket);
  row('Key', document.key);
  row('Version', document.versionId);
  row('Event', `${document.eventName} at ${document.eventTime}`);
  const { object, failure } = document;
  if (object !== undefined) {
    row('Size', object.size === undefined ? undefined : formatBytes(object.size));
    row('Content type', object.contentType);
    row('ETag', object.eTag);
    row('Storage class', object.storageClass);
    row(
      'Restore',
      object.restoreStatus === undefined
        ? undefined
        : `${object.restoreStatus}${object.restoreExpiryDate ? ` until ${object.restoreExpiryDate}` : ''}`,
    );
    row('Last modified', object.lastModified);
    row('Deleted at', object.deletedAt);
    if (object.status === 'present') {
      row('Metadata', formatMap(object.userMetadata));
      row('Tags', formatMap(object.tags));
      row('Enrichment', formatMap(object.enrichment));
    }
  }
  if (failure !== undefined) {
    row('Error', failure.error);
    row('Cause', failure.cause);
  }
  lines.push('');
  row('Notification id', document.id);
  row('Execution', document.executionArn);
  if (document.truncated !== undefined)
    row('Truncated', `${document.truncated.join(', ')} (too large for SNS)`);
  return lines.join('\n');
}

function subjectOf(document: NotificationDocument): string {
  const verb = {
    'object.created': 'New object',
    'object.deleted': 'Deleted',
    'object.updated': 'Changed',
    'object.tags-changed': 'Tags changed',
    'object.failed': 'FAILED to record',
  }[document.type];
  return toSubject(`${verb}: s3://${document.bucket}/${document.key}`);
}

function attributesOf(document: NotificationDocument): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  const put = (name: string, dataType: MessageAttribute['DataType'], value: unknown) => {
    // SNS rejects empty attribute values; absent ones are simply left out.
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') {
      attributes[name] = { DataType: dataType, StringValue: String(value) };
    }
  };
  put('bucket', 'String', document.bucket);
  put('key', 'String', document.key);
  put('eventType', 'String', document.type.replace('object.', ''));
  put('eventName', 'String', document.eventName);
  put('contentType', 'String', document.object?.contentType);
  put('category', 'String', document.object?.enrichment?.Category);
  put('size', 'Number', document.object?.size);
  return attributes;
}

function attributesBytes(attributes: Record<string, MessageAttribute>): number {
  return Object.entries(attributes).reduce(
    (total, [name, { DataType, StringValue }]) =>
      total + Buffer.byteLength(name) + Buffer.byteLength(DataType) + Buffer.byteLength(StringValue),
    0,
  );
}

function render(document: NotificationDocument): SnsNotification {
  const attributes = attributesOf(document);
  return {
    subject: subjectOf(document),
    message: JSON.stringify({ default: JSON.stringify(document), email: emailText(document) }),
    messageStructure: 'json',
    attributes,
    document,
  };
}

/** Bytes SNS counts against its limit: the message, the subject and the attributes. */
export function notificationBytes(notification: SnsNotification): number {
  return (
    Buffer.byteLength(notification.message) +
    Buffer.byteLength(notification.subject) +
    attributesBytes(notification.attributes)
  );
}

/**
 * Builds the SNS message for an outcome. When it would exceed `maxBytes`, the
 * largest optional parts are emptied in turn (user metadata, tags, enrichment)
 * and named in `truncated`: a notification is always sent, never rejected.
 */
export function buildNotification(
  input: NotificationInput,
  maxBytes = SNS_MAX_MESSAGE_BYTES,
): SnsNotification {
  let document = buildDocument(input);
  let notification = render(document);
  const cuttable = ['userMetadata', 'tags', 'enrichment'] as const;
  for (const field of cuttable) {
    if (notificationBytes(notification) <= maxBytes) break;
    if (document.object?.[field] === undefined) continue;
    const { [field]: _dropped, ...rest } = document.object;
    document = { ...document, object: rest, truncated: [...(document.truncated ?? []), field] };
    notification = render(document);
  }
  return notification;
}
