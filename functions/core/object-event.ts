import * as z from 'zod';

/**
 * The normalized object event: what the starter hands to the workflow as
 * `$.object`, and what every step reads. Keys are decoded; ETags unquoted;
 * sequencers uppercase and unpadded (as S3 sent them).
 */
export const objectEventSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  /** S3's event name without the `s3:` prefix, e.g. `ObjectCreated:Put`. */
  eventName: z.string().regex(/^(ObjectCreated|ObjectRemoved):[A-Za-z]+$/),
  eventType: z.enum(['created', 'removed']),
  eventTime: z.string(),
  sequencer: z.string().regex(/^[0-9A-F]{1,64}$/, 'expected 1 to 64 uppercase hexadecimal digits'),
  size: z.number().int().nonnegative().optional(),
  eTag: z.string().optional(),
  region: z.string().optional(),
});

export type ObjectEvent = z.output<typeof objectEventSchema>;
export type EventType = ObjectEvent['eventType'];

/** `ObjectCreated:*` is a created event; `ObjectRemoved:*` (Delete, DeleteMarkerCreated) a removed one. */
export function eventTypeOf(eventName: string): EventType {
  return eventName.startsWith('ObjectRemoved:') ? 'removed' : 'created';
}
