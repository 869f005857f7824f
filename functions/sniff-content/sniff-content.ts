import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { classifyAwsError } from '../core/errors';
import { type EnrichmentResult, objectDescriptionSchema } from '../core/metadata-item';
import { objectEventSchema } from '../core/object-event';
import { categoryOfType, contentTypeMismatch, type Detection, detectContent } from './magic';

/** The enrichment stage contract: every stage receives the object event and its description. */
export const sniffContentInputSchema = z.object({
  object: objectEventSchema,
  description: objectDescriptionSchema,
});
export type SniffContentInput = z.output<typeof sniffContentInputSchema>;

export interface SniffContentDeps {
  s3: S3Client;
}

export const STAGE_NAME = 'content-sniffing';

/** How many leading bytes are read: enough for every signature and a fair sample of text. */
export const SNIFF_BYTES = 4096;

/** Storage classes whose objects cannot be read until restored. */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Content sniffing: reads the object's first bytes (a ranged GET pinned to
 * the described ETag) and records what they are, in which category, and
 * whether the declared Content-Type disagrees.
 *
 * Attributes: `DetectedContentType` (null when unknown or unread),
 * `Category`, `ContentTypeMismatch`, `Sniffed` (false when there were no bytes to read:
 * an empty or archived object, whose category then comes from its declared type).
 *
 * @throws SupersededError when the object changed since it was described (412).
 * @throws ObjectNotFoundError when it was deleted meanwhile.
 */
export async function sniffContent(
  { object, description }: SniffContentInput,
  { s3 }: SniffContentDeps,
): Promise<EnrichmentResult> {
  const declared = description.contentType;
  // Archived objects cannot be read, and empty ones have nothing to read: judged by their declared type.
  if (ARCHIVED.has(description.storageClass) || description.size === 0) {
    return result(undefined, declared, false);
  }
  const response = await s3
    .send(
      new GetObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        ...(description.versionId ? { VersionId: description.versionId } : {}),
        Range: `bytes=0-${SNIFF_BYTES - 1}`,
        IfMatch: `"${description.eTag}"`,
      }),
    )
    .catch((error: unknown) => {
      throw classifyAwsError(
        error,
        `GetObject (first ${SNIFF_BYTES} bytes) s3://${object.bucket}/${object.key}`,
        {
          objectRequest: true,
        },
      );
    });
  const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
  return result(detectContent(bytes, bytes.length >= description.size), declared, true);
}

function result(detection: Detection | undefined, declared: string, sniffed: boolean): EnrichmentResult {
  return {
    stage: STAGE_NAME,
    attributes: {
      DetectedContentType: detection?.contentType ?? null,
      Category: detection?.category ?? categoryOfType(declared),
      ContentTypeMismatch: sniffed ? contentTypeMismatch(declared, detection) : false,
      Sniffed: sniffed,
    },
  };
}
