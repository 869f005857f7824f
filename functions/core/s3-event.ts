import * as z from 'zod';
import { InvalidInputError } from './errors';
import { decodeS3Key } from './keys';
import { EVENT_NAME, eventTypeOf, type ObjectEvent } from './object-event';
import { parseInput } from './validation';

/**
 * Schemas of what S3 sends: event notification records (event version 2.x)
 * and the `s3:TestEvent` sent when a notification configuration is saved.
 * Unknown fields are accepted and dropped, so later 2.x versions still parse.
 */

const HEX = /^[0-9A-Fa-f]{1,64}$/;

/** One record of an S3 event notification, as S3 sends it (the key still URL-encoded). */
export const s3EventRecordSchema = z
  .object({
    eventVersion: z.string().regex(/^2\.\d+$/, 'expected an S3 event version 2.x'),
    eventSource: z.literal('aws:s3'),
    awsRegion: z.string().optional(),
    eventTime: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time'),
    eventName: z
      .string()
      .refine(
        (name) => EVENT_NAME.test(name.replace(/^s3:/, '')),
        'expected ObjectCreated:*, ObjectRemoved:Delete|DeleteMarkerCreated, LifecycleExpiration:Delete|DeleteMarkerCreated, ObjectTagging:Put|Delete, LifecycleTransition or ObjectRestore:Post|Completed|Delete (other event types are not subscribed)',
      ),
    userIdentity: z.object({ principalId: z.string().optional() }).optional(),
    requestParameters: z.object({ sourceIPAddress: z.string().optional() }).optional(),
    responseElements: z.object({ 'x-amz-request-id': z.string().optional() }).optional(),
    lifecycleEventData: z
      .object({
        transitionEventData: z.object({ destinationStorageClass: z.string().optional() }).optional(),
      })
      .optional(),
    glacierEventData: z
      .object({
        restoreEventData: z.object({ lifecycleRestorationExpiryTime: z.string().optional() }).optional(),
      })
      .optional(),
    s3: z.object({
      bucket: z.object({
        name: z.string().min(1, 'expected a bucket name'),
        arn: z.string().optional(),
      }),
      object: z.object({
        key: z.string().min(1, 'expected an object key'),
        size: z.number().int().nonnegative().optional(),
        eTag: z.string().optional(),
        // "object version if bucket is versioning-enabled, otherwise null" (notification-content-structure.html)
        versionId: z.string().nullish(),
        // S3 sends one "only with PUTs and DELETEs"
        // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
        sequencer: z.string().regex(HEX, 'expected 1 to 64 hexadecimal digits').optional(),
      }),
    }),
  })
  .superRefine((record, context) => {
    const eventName = record.eventName.replace(/^s3:/, '');
    if (
      record.s3.object.sequencer === undefined &&
      EVENT_NAME.test(eventName) &&
      eventTypeOf(eventName) !== 'updated'
    ) {
      context.addIssue({
        code: 'custom',
        path: ['s3', 'object', 'sequencer'],
        message: `required for ${eventName} (S3 sends one with every PUT and DELETE)`,
      });
    }
  });

export type S3EventRecord = z.output<typeof s3EventRecordSchema>;

/** An S3 event notification: what one SQS message body carries. */
export const s3EventNotificationSchema = z.object({
  Records: z.array(s3EventRecordSchema).min(1, 'expected at least one record'),
});

/** Sent by S3 when event notifications are configured on a bucket. */
export const s3TestEventSchema = z.object({
  Service: z.literal('Amazon S3'),
  Event: z.literal('s3:TestEvent'),
  Bucket: z.string().optional(),
  Time: z.string().optional(),
});

/** An SNS envelope, for topologies where S3 publishes to a topic that feeds the queue. */
const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

/** What one SQS message body turned out to be. */
export type ParsedNotification =
  | { kind: 'test'; bucket?: string }
  | { kind: 'events'; events: ObjectEvent[] };

/** Strips the quotes HeadObject puts around ETags, so event and object ETags compare equal. */
export function normalizeETag(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
}

/** A field of the record, when S3 filled it. */
function present(value: string | undefined): string | undefined {
  return value !== undefined && value !== '' ? value : undefined;
}

/**
 * Normalizes one S3 record: decodes the key, names the event type, drops what the workflow does not use.
 * @throws InvalidInputError when a created or removed event has no sequencer (the write guard needs it).
 */
export function toObjectEvent(record: S3EventRecord): ObjectEvent {
  const eventName = record.eventName.replace(/^s3:/, '');
  const { bucket, object } = record.s3;
  // S3 sends versionId "null" for the null version (written while versioning was off or suspended).
  // A removal keeps it: deleting the null version for good, or a null delete marker, may leave another
  // version current, so the workflow must look (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectsfromVersioningSuspendedBuckets.html).
  // Created and metadata events drop it: their object is described as it is now, as in an unversioned bucket.
  const keepNull = eventTypeOf(eventName) === 'removed';
  const versionId =
    typeof object.versionId === 'string' &&
    object.versionId !== '' &&
    (object.versionId !== 'null' || keepNull)
      ? object.versionId
      : undefined;
  return {
    bucket: bucket.name,
    key: decodeS3Key(object.key),
    ...(versionId !== undefined ? { versionId } : {}),
    eventName,
    eventType: eventTypeOf(eventName),
    eventTime: new Date(record.eventTime).toISOString(),
    ...sequencerOf(record, eventName),
    ...(object.size !== undefined ? { size: object.size } : {}),
    ...(object.eTag !== undefined && object.eTag !== '' ? { eTag: normalizeETag(object.eTag) } : {}),
    ...optionalFields({
      region: present(record.awsRegion),
      requester: present(record.userIdentity?.principalId),
      sourceIpAddress: present(record.requestParameters?.sourceIPAddress),
      requestId: present(record.responseElements?.['x-amz-request-id']),
      destinationStorageClass: present(
        record.lifecycleEventData?.transitionEventData?.destinationStorageClass,
      ),
      restoreExpiryTime: present(record.glacierEventData?.restoreEventData?.lifecycleRestorationExpiryTime),
    }),
  };
}

function optionalFields<T extends Record<string, string | undefined>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function sequencerOf(record: S3EventRecord, eventName: string): { sequencer?: string } {
  const { sequencer } = record.s3.object;
  if (sequencer !== undefined) return { sequencer: sequencer.toUpperCase() };
  if (eventTypeOf(eventName) !== 'updated') {
    throw new InvalidInputError(
      `S3 event record ${eventName} of "${record.s3.object.key}" has no s3.object.sequencer (S3 sends one with every PUT and DELETE)`,
    );
  }
  return {};
}

/**
 * Parses the body of one SQS message from the ingest queue.
 * @throws InvalidInputError saying what is wrong: not JSON, or which field of which record.
 */
export function parseNotificationBody(body: string): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const preview = body.length > 120 ? `${body.slice(0, 120)}...` : body;
    throw new InvalidInputError(`Message body is not JSON (received ${JSON.stringify(preview)})`);
  }
  const envelope = snsEnvelopeSchema.safeParse(json);
  if (envelope.success) return parseNotificationBody(envelope.data.Message);

  const test = s3TestEventSchema.safeParse(json);
  if (test.success) return { kind: 'test', ...(test.data.Bucket ? { bucket: test.data.Bucket } : {}) };

  if (typeof json !== 'object' || json === null || !('Records' in json)) {
    throw new InvalidInputError(
      'Message body is not an S3 event notification: expected {"Records": [...]} or an s3:TestEvent',
    );
  }
  const notification = parseInput(s3EventNotificationSchema, json, 'S3 event notification');
  return { kind: 'events', events: notification.Records.map(toObjectEvent) };
}
