import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { type ObjectSample, SAMPLE_BYTES, toSample, UNREAD_SAMPLE } from '../core/enrichment';
import { classifyAwsError, ObjectNotFoundError, SupersededError } from '../core/errors';
import type { MetadataUpdate, ObjectDescription, RemovalState } from '../core/metadata-item';
import { type ObjectEvent, objectEventSchema } from '../core/object-event';
import { normalizeETag } from '../core/s3-event';
import { readObjectRange } from '../object-bytes';

/**
 * What the describing states pass: the object event and what to describe.
 * - `event` (DescribeObject): the event's version, its tags and the sample of its first bytes;
 * - `current` (DescribeCurrent): the key's current version after a removal in a versioned
 *   bucket, which may be an older version, a delete marker, or nothing;
 * - `metadata` (DescribeMetadata): storage class, restore state and tags only, for a metadata event.
 */
export const describeObjectInputSchema = z.object({
  object: objectEventSchema,
  mode: z.enum(['event', 'current', 'metadata']).default('event'),
});
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

/**
 * What DescribeObject (mode `event`) and DescribeCurrent (mode `current`)
 * return: the description, the sample of the first bytes every enrichment
 * stage reads, or, when the key has no current version, what removed it.
 * Every field is always there (null when it does not apply), so that the
 * states' one ResultSelector can pick them: a JSONPath to a missing field
 * fails a state.
 */
export type DescribedObject =
  | { exists: true; description: ObjectDescription; sample: ObjectSample; removal: null }
  | { exists: false; description: null; sample: null; removal: RemovalState };

/** What DescribeMetadata (mode `metadata`) returns. */
export interface DescribedMetadata {
  update: MetadataUpdate;
}

/**
 * Describes what an event is about, in one of three modes (see
 * {@link describeObjectInputSchema}).
 *
 * @throws ObjectNotFoundError when the event's object is gone (modes `event` and `metadata`).
 * @throws SupersededError when the object's ETag is no longer the event's, or it changes while it is read.
 * @throws ThrottledError, TransientError, PermanentError from the S3 calls.
 */
export async function describeObject(
  input: DescribeObjectInput,
  deps: DescribeObjectDeps,
): Promise<DescribedObject | DescribedMetadata> {
  if (input.mode === 'current') return describeCurrent(input.object, deps);
  if (input.mode === 'metadata') return describeMetadata(input.object, deps);
  return describeEventVersion(input.object, deps);
}

/**
 * The event's version: HeadObject (of the event's version when the bucket is
 * versioned), its tags when it has any, and its first {@link SAMPLE_BYTES}
 * bytes (one ranged GET pinned to the described ETag), read here once for
 * every enrichment stage.
 */
async function describeEventVersion(object: ObjectEvent, deps: DescribeObjectDeps): Promise<DescribedObject> {
  const head = await headObject(object, object.versionId, deps);
  const eTag = normalizeETag(head.ETag ?? '');
  if (object.eTag !== undefined && eTag !== object.eTag) {
    throw new SupersededError(
      `s3://${object.bucket}/${object.key} was overwritten after this event: event ETag ${object.eTag}, current ETag ${eTag}`,
    );
  }
  const description = await toDescription(object, head, deps);
  return { exists: true, description, sample: await readSample(object, description, deps), removal: null };
}

/**
 * The key's current version, after a removal in a versioned bucket: HeadObject
 * without a version id. S3 answers 404 when the key has no current version,
 * with `x-amz-delete-marker: true` and the marker's `x-amz-version-id` when a
 * delete marker is current
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Versioning").
 */
async function describeCurrent(object: ObjectEvent, deps: DescribeObjectDeps): Promise<DescribedObject> {
  let head: HeadObjectCommandOutput;
  try {
    head = await headObject(object, undefined, deps);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    return { exists: false, description: null, sample: null, removal: removalOf(error.cause) };
  }
  const description = await toDescription(object, head, deps);
  return { exists: true, description, sample: await readSample(object, description, deps), removal: null };
}

/** Storage class, restore state and tags of the event's version (or the current one): no content read. */
async function describeMetadata(object: ObjectEvent, deps: DescribeObjectDeps): Promise<DescribedMetadata> {
  const head = await headObject(object, object.versionId, deps);
  const target = {
    Bucket: object.bucket,
    Key: object.key,
    ...(head.VersionId ? { VersionId: head.VersionId } : {}),
  };
  const restore = parseRestore(head.Restore);
  return {
    update: {
      storageClass: head.StorageClass ?? 'STANDARD',
      tags: (head.TagCount ?? 0) > 0 ? await readTags(deps.s3, target) : {},
      ...(restore ? { restore } : {}),
    },
  };
}

async function headObject(
  object: ObjectEvent,
  versionId: string | undefined,
  { s3 }: DescribeObjectDeps,
): Promise<HeadObjectCommandOutput> {
  try {
    return await s3.send(
      new HeadObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        ...(versionId ? { VersionId: versionId } : {}),
        ChecksumMode: 'ENABLED',
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `HeadObject s3://${object.bucket}/${object.key}`, { objectRequest: true });
  }
}

/** The delete marker a 404 HeadObject names in its headers (the SDK keeps the raw response on the error). */
function removalOf(cause: unknown): RemovalState {
  const headers =
    (cause as { $response?: { headers?: Record<string, string | undefined> } } | undefined)?.$response
      ?.headers ?? {};
  const marker = headers['x-amz-delete-marker'] === 'true';
  const versionId = headers['x-amz-version-id'];
  return marker && versionId ? { deleteMarkerVersionId: versionId } : {};
}

/** HeadObject's x-amz-restore: `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`. */
export function parseRestore(value: string | undefined): ObjectDescription['restore'] {
  if (value === undefined || value === '') return undefined;
  const ongoing = /ongoing-request="true"/.test(value);
  const expiry = /expiry-date="([^"]+)"/.exec(value)?.[1];
  const expiryDate =
    expiry !== undefined && !Number.isNaN(Date.parse(expiry)) ? new Date(expiry).toISOString() : undefined;
  return { ongoing, ...(expiryDate ? { expiryDate } : {}) };
}

/** The first bytes, read once; none of an archived object (unreadable until restored) or an empty one. */
async function readSample(
  object: ObjectEvent,
  description: ObjectDescription,
  { s3 }: DescribeObjectDeps,
): Promise<ObjectSample> {
  if (ARCHIVED.has(description.storageClass) || description.size === 0) return UNREAD_SAMPLE;
  const bytes = await readObjectRange(s3, object, description, 0, SAMPLE_BYTES - 1);
  return toSample(bytes, description.size);
}

async function toDescription(
  object: ObjectEvent,
  head: HeadObjectCommandOutput,
  { s3 }: DescribeObjectDeps,
): Promise<ObjectDescription> {
  const target = {
    Bucket: object.bucket,
    Key: object.key,
    ...(head.VersionId ? { VersionId: head.VersionId } : {}),
  };
  // HeadObject counts the object's tags (x-amz-tagging-count, sent only when
  // there is at least one, to callers allowed s3:GetObjectTagging): most
  // objects have none, and their tags cost no second request.
  const tags = (head.TagCount ?? 0) > 0 ? await readTags(s3, target) : {};
  const checksumAlgorithm = CHECKSUM_FIELDS.find((field) => head[field] !== undefined)?.replace(
    'Checksum',
    '',
  );
  const description: ObjectDescription = {
    // S3's default when a PUT names no type (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
    contentType: head.ContentType ?? 'binary/octet-stream',
    size: head.ContentLength ?? 0,
    eTag: normalizeETag(head.ETag ?? ''),
    lastModified: (head.LastModified ?? new Date(object.eventTime)).toISOString(),
    // HeadObject leaves StorageClass out for STANDARD objects.
    storageClass: head.StorageClass ?? 'STANDARD',
    userMetadata: head.Metadata ?? {},
    tags,
  };
  const restore = parseRestore(head.Restore);
  const partsCount = /-(\d+)$/.exec(description.eTag)?.[1];
  const optional: Partial<ObjectDescription> = {
    contentEncoding: head.ContentEncoding,
    contentLanguage: head.ContentLanguage,
    contentDisposition: head.ContentDisposition,
    cacheControl: head.CacheControl,
    versionId: head.VersionId,
    serverSideEncryption: head.ServerSideEncryption,
    kmsKeyArn: head.SSEKMSKeyId,
    bucketKeyEnabled: head.BucketKeyEnabled,
    checksumAlgorithm,
    checksumType: head.ChecksumType,
    partsCount: head.PartsCount ?? (partsCount !== undefined ? Number(partsCount) : undefined),
    restore,
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
