import * as z from 'zod';

/**
 * The event types the pipeline records
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html):
 * creations, removals (by a request or by S3 Lifecycle), and changes of an
 * object's metadata (tags, a Lifecycle storage class transition, a restore
 * from an archive). The others (ACL, replication, Intelligent-Tiering, reduced
 * redundancy loss) change nothing the item records and are not subscribed.
 */
export const EVENT_NAME =
  /^(ObjectCreated:[A-Za-z]+|ObjectRemoved:(Delete|DeleteMarkerCreated)|LifecycleExpiration:(Delete|DeleteMarkerCreated)|ObjectTagging:(Put|Delete)|LifecycleTransition|ObjectRestore:(Post|Completed|Delete))$/;

/**
 * The event names of the workflow's input: S3's, and the removal that `npm run
 * reconcile` starts for an item whose object is gone (S3 never sends it;
 * its `ObjectCreated:Reconcile` matches `ObjectCreated:*` already). Kept apart
 * from EVENT_NAME so that S3 records with such a name are still refused.
 */
const WORKFLOW_EVENT_NAME = new RegExp(`${EVENT_NAME.source}|^ObjectRemoved:Reconcile$`);

/**
 * The normalized object event: what the starter hands to the workflow as
 * `$.object`, and what every step reads. Keys are decoded; ETags unquoted;
 * sequencers uppercase and unpadded (as S3 sent them).
 */
export const objectEventSchema = z
  .object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().min(1).optional(),
    /** S3's event name without the `s3:` prefix, e.g. `ObjectCreated:Put`, `ObjectTagging:Put`, `LifecycleTransition`. */
    eventName: z.string().regex(WORKFLOW_EVENT_NAME, 'expected an event type the pipeline subscribes to'),
    eventType: z.enum(['created', 'removed', 'updated']),
    eventTime: z.string(),
    /** S3 sends one with PUTs and DELETEs; created and removed events must have it (the write guard). */
    sequencer: z
      .string()
      .regex(/^[0-9A-F]{1,64}$/, 'expected 1 to 64 uppercase hexadecimal digits')
      .optional(),
    size: z.number().int().nonnegative().optional(),
    eTag: z.string().optional(),
    region: z.string().optional(),
    /** `userIdentity.principalId`: who made the request (S3 Metadata's `requester`). */
    requester: z.string().optional(),
    /** `requestParameters.sourceIPAddress` (S3 Metadata's `source_ip_address`). */
    sourceIpAddress: z.string().optional(),
    /** `responseElements.x-amz-request-id` (S3 Metadata's `request_id`). */
    requestId: z.string().optional(),
    /** LifecycleTransition: `lifecycleEventData.transitionEventData.destinationStorageClass`. */
    destinationStorageClass: z.string().optional(),
    /** ObjectRestore:Completed: `glacierEventData.restoreEventData.lifecycleRestorationExpiryTime`. */
    restoreExpiryTime: z.string().optional(),
  })
  .refine((event) => event.eventType === 'updated' || event.sequencer !== undefined, {
    message: 'created and removed events carry a sequencer',
    path: ['sequencer'],
  });

export type ObjectEvent = z.output<typeof objectEventSchema>;
export type EventType = ObjectEvent['eventType'];

/**
 * What an event does to the item: `created` (ObjectCreated:*) describes the
 * object anew; `removed` (ObjectRemoved:*, LifecycleExpiration:*) moves the
 * item to the key's current state (a tombstone, or the version that became
 * current); `updated` (ObjectTagging:*, LifecycleTransition, ObjectRestore:*)
 * refreshes the metadata of a present item without reading its content.
 */
export function eventTypeOf(eventName: string): EventType {
  if (eventName.startsWith('ObjectCreated:')) return 'created';
  if (eventName.startsWith('ObjectRemoved:') || eventName.startsWith('LifecycleExpiration:'))
    return 'removed';
  return 'updated';
}

/** A removal that made a delete marker the current version (by a request, or by S3 Lifecycle). */
export function createsDeleteMarker(eventName: string): boolean {
  return eventName.endsWith(':DeleteMarkerCreated');
}

/** S3 Metadata's record type for an event: CREATE, DELETE or UPDATE_METADATA. */
export function recordTypeOf(event: Pick<ObjectEvent, 'eventType'>): 'CREATE' | 'DELETE' | 'UPDATE_METADATA' {
  if (event.eventType === 'created') return 'CREATE';
  if (event.eventType === 'removed') return 'DELETE';
  return 'UPDATE_METADATA';
}
