import * as z from 'zod';
import { type EnrichmentResult, enrichmentResultSchema, objectDescriptionSchema } from './metadata-item';
import { objectEventSchema } from './object-event';

/**
 * How many leading bytes of an object DescribeObject reads once, for every
 * enrichment stage: enough for every magic number the stages know and a fair
 * sample of text. Base64 in the state, 4 KiB is about 5.5 KB of the 256 KB
 * state payload limit
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 * A stage that needs bytes past the sample reads them with its own ranged GET.
 */
export const SAMPLE_BYTES = 4096;

/**
 * The object's first bytes, read once per object by DescribeObject.
 * `read: false` when there was nothing to read (an empty object) or nothing
 * that could be read (an archived one, GLACIER or DEEP_ARCHIVE): stages then
 * judge by the declared type alone.
 */
export const objectSampleSchema = z.object({
  /** The bytes, base64 (at most {@link SAMPLE_BYTES} of them). */
  data: z.string().max(Math.ceil(SAMPLE_BYTES / 3) * 4),
  /** True when the sample holds the whole object. */
  complete: z.boolean(),
  read: z.boolean(),
});
export type ObjectSample = z.output<typeof objectSampleSchema>;

/**
 * What every enrichment stage receives (the contract of a stage's Task in the
 * definition): the object event, its description, the sample of its first
 * bytes, and the results of the stages before it, by their result key
 * (`$.facts.enrichment` in the state).
 */
export const enrichmentStageInputSchema = z.object({
  object: objectEventSchema,
  description: objectDescriptionSchema,
  sample: objectSampleSchema,
  enrichment: z.record(z.string(), enrichmentResultSchema).default({}),
  executionArn: z.string().optional(),
});
export type EnrichmentStageInput = z.output<typeof enrichmentStageInputSchema>;
export type { EnrichmentResult };

/** The sample's bytes. */
export function sampleBytes(sample: ObjectSample): Uint8Array {
  return new Uint8Array(Buffer.from(sample.data, 'base64'));
}

/** A sample of the given bytes (truncated to {@link SAMPLE_BYTES}) of an object of `size` bytes. */
export function toSample(bytes: Uint8Array, size: number): ObjectSample {
  const kept = bytes.subarray(0, SAMPLE_BYTES);
  return { data: Buffer.from(kept).toString('base64'), complete: kept.length >= size, read: true };
}

/** The sample of an object whose bytes were not read (empty or archived). */
export const UNREAD_SAMPLE: ObjectSample = Object.freeze({ data: '', complete: false, read: false });
