import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { type ObjectSample, SAMPLE_BYTES, toSample, UNREAD_SAMPLE } from '../core/enrichment';
import { classifyAwsError, SupersededError } from '../core/errors';
import type { ObjectDescription } from '../core/metadata-item';
import { objectEventSchema } from '../core/object-event';
import { normalizeETag } from '../core/s3-event';
import { readObjectRange } from '../object-bytes';

/** What the DescribeObject state passes: the object event. */
export const describeObjectInputSchema = z.object({ object: objectEventSchema });
export type DescribeObjectInput = z.output<typeof describeObjectInputSchema>;

export interface DescribeObjectDeps {
  s3: S3Client;
}

const CHECKSUM_FIELDS = [
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
  'ChecksumSHA1',
  'ChecksumSHA256',
] as const;

/** Storage classes whose objects cannot be read until restored. */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** What DescribeObject returns: the description, and the sample of the first bytes every enrichment stage reads. */
export interface DescribeObjectResult {
  description: ObjectDescription;
  sample: ObjectSample;
}

/**
 * Describes the object an event is about: HeadObject (of the event's version
 * when the bucket is versioned), its tags when it has any, and its first
 * {@link SAMPLE_BYTES} bytes (one ranged GET pinned to the described ETag), read
 * here once for every enrichment stage.
 *
 * @throws ObjectNotFoundError when the object is gone (deleted before it was described).
 * @throws SupersededError when the object's ETag is no longer the event's: it was overwritten.
 * @throws ThrottledError, TransientError, PermanentError from the S3 calls.
 */
export async function describeObject(
  input: DescribeObjectInput,
  deps: DescribeObjectDeps,
): Promise<DescribeObjectResult> {
  const description = await headObject(input, deps);
  // Archived objects cannot be read, and empty ones have nothing to read: stages judge them by their declared type.
  if (ARCHIVED.has(description.storageClass) || description.size === 0) {
    return { description, sample: UNREAD_SAMPLE };
  }
  const bytes = await readObjectRange(deps.s3, input.object, description, 0, SAMPLE_BYTES - 1);
  return { description, sample: toSample(bytes, description.size) };
}

async function headObject(
  { object }: DescribeObjectInput,
  { s3 }: DescribeObjectDeps,
): Promise<ObjectDescription> {
  const target = {
    Bucket: object.bucket,
    Key: object.key,
    ...(object.versionId ? { VersionId: object.versionId } : {}),
  };
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ ...target, ChecksumMode: 'ENABLED' }));
  } catch (error) {
    throw classifyAwsError(error, `HeadObject s3://${object.bucket}/${object.key}`, { objectRequest: true });
  }

  const eTag = normalizeETag(head.ETag ?? '');
  if (object.eTag !== undefined && eTag !== object.eTag) {
    throw new SupersededError(
      `s3://${object.bucket}/${object.key} was overwritten after this event: event ETag ${object.eTag}, current ETag ${eTag}`,
    );
  }

  // HeadObject counts the object's tags (x-amz-tagging-count, sent only when
  // there is at least one, to callers allowed s3:GetObjectTagging): most
  // objects have none, and their tags cost no second request.
  const tags = (head.TagCount ?? 0) > 0 ? await readTags(s3, target) : {};
  const checksumAlgorithms = CHECKSUM_FIELDS.filter((field) => head[field] !== undefined).map((field) =>
    field.replace('Checksum', ''),
  );
  const description: ObjectDescription = {
    contentType: head.ContentType ?? 'application/octet-stream',
    size: head.ContentLength ?? 0,
    eTag,
    lastModified: (head.LastModified ?? new Date(object.eventTime)).toISOString(),
    // HeadObject leaves StorageClass out for STANDARD objects.
    storageClass: head.StorageClass ?? 'STANDARD',
    userMetadata: head.Metadata ?? {},
    tags,
  };
  const optional: Partial<ObjectDescription> = {
    contentEncoding: head.ContentEncoding,
    contentLanguage: head.ContentLanguage,
    contentDisposition: head.ContentDisposition,
    cacheControl: head.CacheControl,
    versionId: head.VersionId,
    serverSideEncryption: head.ServerSideEncryption,
    kmsKeyId: head.SSEKMSKeyId,
    checksumAlgorithms: checksumAlgorithms.length > 0 ? checksumAlgorithms : undefined,
    checksumType: head.ChecksumType,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined && value !== '') Object.assign(description, { [name]: value });
  }
  return description;
}

async function readTags(
  s3: S3Client,
  target: { Bucket: string; Key: string; VersionId?: string },
): Promise<Record<string, string>> {
  try {
    const tagging = await s3.send(new GetObjectTaggingCommand(target));
    return Object.fromEntries((tagging.TagSet ?? []).map(({ Key, Value }) => [Key ?? '', Value ?? '']));
  } catch (error) {
    throw classifyAwsError(error, `GetObjectTagging s3://${target.Bucket}/${target.Key}`, {
      objectRequest: true,
    });
  }
}
