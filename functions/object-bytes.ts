import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from './core/errors';
import type { ObjectDescription } from './core/metadata-item';
import type { ObjectEvent } from './core/object-event';

/**
 * Reads bytes `start`..`end` (inclusive, as HTTP ranges count) of the
 * described object: one ranged GET, pinned to the described version and ETag
 * (If-Match), so that the bytes are those of the object that was described.
 * S3 answers a range past the end with the bytes there are.
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Range and If-Match)
 *
 * @throws SupersededError when the object changed since it was described (412).
 * @throws ObjectNotFoundError when it was deleted meanwhile (404).
 * @throws ThrottledError, TransientError, PermanentError for the rest.
 */
export async function readObjectRange(
  s3: S3Client,
  object: Pick<ObjectEvent, 'bucket' | 'key'>,
  description: Pick<ObjectDescription, 'eTag' | 'versionId'>,
  start: number,
  end: number,
): Promise<Uint8Array> {
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        ...(description.versionId ? { VersionId: description.versionId } : {}),
        Range: `bytes=${start}-${end}`,
        IfMatch: `"${description.eTag}"`,
      }),
    );
    return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
  } catch (error) {
    throw classifyAwsError(error, `GetObject (bytes ${start}-${end}) s3://${object.bucket}/${object.key}`, {
      objectRequest: true,
    });
  }
}
