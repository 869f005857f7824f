import { normalizeETag } from '../../../functions/core/s3-event';
import type { MultipartUploads } from '../../s3/multipart';
import { type Bucket, newVersionId, type ObjectVersion, type S3Store } from '../../s3/store';
import { s3Error } from '../aws-errors';
import type { EdgeRequest, EdgeResponse } from '../http';
import type { KeyLocks } from './key-locks';
import type { Notifications } from './notifications';

/** What every S3 handler works with: the store, uploads in progress, key locks and notifications. */
export interface S3Context {
  readonly store: S3Store;
  readonly uploads: MultipartUploads;
  readonly locks: KeyLocks;
  readonly notifications: Notifications;
  readonly region: string;
}

/** The bucket, or S3's NoSuchBucket. */
export function bucketOr404(context: S3Context, name: string): Bucket | EdgeResponse {
  return (
    context.store.bucket(name) ??
    s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name })
  );
}

export function isResponse<T extends object>(value: T | EdgeResponse): value is EdgeResponse {
  return 'status' in value && 'body' in value && Buffer.isBuffer((value as EdgeResponse).body);
}

/** The version id a new write gets: a fresh one when versioning is enabled, `null` otherwise. */
export function nextVersionId(bucket: Bucket): string {
  return bucket.versioning === 'Enabled' ? newVersionId() : 'null';
}

/** S3's limit on key length, in UTF-8 bytes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). */
export function keyTooLong(key: string): EdgeResponse | undefined {
  const size = Buffer.byteLength(key, 'utf8');
  return size > 1024
    ? s3Error(400, 'KeyTooLongError', 'Your key is too long', { Size: String(size), MaxSizeAllowed: '1024' })
    : undefined;
}

/** Announces a new object version (ObjectCreated:*). */
export function announceCreated(
  context: S3Context,
  bucket: Bucket,
  eventName: string,
  request: EdgeRequest,
  version: ObjectVersion,
): Promise<void> {
  return context.notifications.announce(bucket.name, version.key, eventName, request, {
    size: version.size,
    eTag: normalizeETag(version.eTag),
    ...(bucket.versioning === undefined ? {} : { versionId: version.versionId }),
  });
}

/** Announces a removal: a delete marker created, or a version (or the unversioned object) deleted. */
export function announceRemoved(
  context: S3Context,
  bucket: Bucket,
  key: string,
  request: EdgeRequest,
  removal: { markerCreated: boolean; versionId: string | undefined },
): Promise<void> {
  return context.notifications.announce(
    bucket.name,
    key,
    removal.markerCreated ? 'ObjectRemoved:DeleteMarkerCreated' : 'ObjectRemoved:Delete',
    request,
    bucket.versioning === undefined || removal.versionId === undefined
      ? {}
      : { versionId: removal.versionId },
  );
}

/**
 * Announces a change of a version's tags (ObjectTagging:Put or :Delete), which S3 sends in event
 * structure 2.3 without a sequencer
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 */
export function announceTagging(
  context: S3Context,
  bucket: Bucket,
  eventName: 'ObjectTagging:Put' | 'ObjectTagging:Delete',
  request: EdgeRequest,
  version: ObjectVersion,
): Promise<void> {
  return context.notifications.announce(bucket.name, version.key, eventName, request, {
    eTag: normalizeETag(version.eTag),
    ...(bucket.versioning === undefined ? {} : { versionId: version.versionId }),
    sequenced: false,
  });
}
