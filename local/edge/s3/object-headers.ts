import { checksumHeader } from '../../s3/checksums';
import {
  type Bucket,
  CONTENT_HEADERS,
  type ContentHeaders,
  type Encryption,
  type ObjectAttributes,
  type ObjectVersion,
} from '../../s3/store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue } from '../http';
import { ACCOUNT_ID } from './notifications';

/**
 * What S3 keeps of an object besides its bytes, read from a write's headers
 * and given back on GET and HEAD
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html):
 * content headers, user metadata (`x-amz-meta-*`, empty values kept,
 * non-ASCII values RFC 2047-encoded on the way out), storage class,
 * server-side encryption (SSE-S3 unless asked otherwise, as for every new
 * object since 2023), tags; and the conditional headers of reads and writes.
 */

/** S3's storage classes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#AmazonS3-PutObject-request-header-StorageClass). */
export const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'SNOW',
  'EXPRESS_ONEZONE',
  'FSX_OPENZFS',
] as const;

/** Storage classes whose objects must be restored before a GET. */
export const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** S3's default content type for an object uploaded without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** The AWS managed key S3 uses for aws:kms without a key id. */
const DEFAULT_KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000000`;

/** Decodes an RFC 2047 encoded word (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`); other text is UTF-8 bytes as received. */
export function decodeMetadataValue(raw: string): string {
  const word = /^=\?UTF-8\?([BQ])\?(.*)\?=$/i.exec(raw.trim());
  if (word?.[1] !== undefined && word[2] !== undefined) {
    if (word[1].toUpperCase() === 'B') return Buffer.from(word[2], 'base64').toString('utf8');
    const bytes = word[2]
      .replace(/_/g, ' ')
      .replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  // Node reads header bytes as latin1: give UTF-8 sent raw its characters back.
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? raw : utf8;
}

/** A metadata value as S3 sends it: printable ASCII as is, anything else as an RFC 2047 encoded word. */
export function encodeMetadataValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The content headers and user metadata of a write (PutObject, CreateMultipartUpload, CopyObject with REPLACE). */
export function contentOf(
  request: EdgeRequest,
  contentEncoding?: string,
): Pick<ObjectAttributes, 'headers' | 'metadata'> {
  const headers: ContentHeaders = {};
  for (const name of CONTENT_HEADERS) {
    const value = headerValue(request, name);
    if (value !== undefined) headers[name] = value;
  }
  if (contentEncoding === undefined) delete headers['content-encoding'];
  else headers['content-encoding'] = contentEncoding;
  // An empty Content-Type is no content type.
  if (!headers['content-type']) headers['content-type'] = DEFAULT_CONTENT_TYPE;
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    metadata[name.slice('x-amz-meta-'.length)] = decodeMetadataValue(
      Array.isArray(value) ? value.join(',') : value,
    );
  }
  return { headers, metadata };
}

/** Storage class and encryption of a write, or S3's error for values it does not know. */
export function placementOf(
  request: EdgeRequest,
): Pick<ObjectAttributes, 'storageClass' | 'encryption'> | EdgeResponse {
  const storageClass = headerValue(request, 'x-amz-storage-class') ?? 'STANDARD';
  if (!(STORAGE_CLASSES as readonly string[]).includes(storageClass))
    return s3Error(400, 'InvalidStorageClass', 'The storage class you specified is not valid', {
      StorageClassRequested: storageClass,
    });
  // SSE-C (keys the client keeps) is not emulated: refused rather than stored unencrypted and readable without the key.
  if (headerValue(request, 'x-amz-server-side-encryption-customer-algorithm') !== undefined)
    return s3Error(
      501,
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      {
        Header: 'x-amz-server-side-encryption-customer-algorithm',
      },
    );
  const algorithm = headerValue(request, 'x-amz-server-side-encryption') ?? 'AES256';
  if (algorithm !== 'AES256' && algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse')
    return s3Error(400, 'InvalidArgument', 'Server Side Encryption with unknown algorithm is not supported', {
      ArgumentName: 'x-amz-server-side-encryption',
      ArgumentValue: algorithm,
    });
  const encryption: Encryption = { algorithm };
  if (algorithm !== 'AES256') {
    encryption.kmsKeyId =
      headerValue(request, 'x-amz-server-side-encryption-aws-kms-key-id') ?? DEFAULT_KMS_KEY;
    if (headerValue(request, 'x-amz-server-side-encryption-bucket-key-enabled') === 'true')
      encryption.bucketKeyEnabled = true;
  }
  return { storageClass, encryption };
}

/** The encryption headers S3 answers a write or a read with. */
export function encryptionHeaders(encryption: Encryption): Record<string, string> {
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': encryption.algorithm };
  if (encryption.kmsKeyId !== undefined)
    headers['x-amz-server-side-encryption-aws-kms-key-id'] = encryption.kmsKeyId;
  if (encryption.bucketKeyEnabled) headers['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return headers;
}

/** The x-amz-version-id header, for buckets that have versioning (enabled or suspended). */
export function versionHeader(bucket: Bucket, versionId: string): Record<string, string> {
  return bucket.versioning === undefined ? {} : { 'x-amz-version-id': versionId };
}

/**
 * Tags, checked against S3's limits
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html):
 * at most 10, keys up to 128 characters and values up to 256, unique keys,
 * letters, digits, spaces and `+ - = . _ : / @`, no `aws:` prefix.
 */
export function checkTags(tags: [string, string][]): EdgeResponse | undefined {
  if (tags.length > 10) return s3Error(400, 'BadRequest', 'Object tags cannot be greater than 10');
  const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  const keys = new Set<string>();
  for (const [key, value] of tags) {
    if ([...key].length > 128 || key.length === 0)
      return s3Error(400, 'InvalidTag', 'The TagKey you have provided is too long, max 128', { TagKey: key });
    if ([...value].length > 256)
      return s3Error(400, 'InvalidTag', 'The TagValue you have provided is too long, max 256', {
        TagKey: key,
        TagValue: value,
      });
    if (!allowed.test(key) || key.toLowerCase().startsWith('aws:'))
      return s3Error(400, 'InvalidTag', 'The TagKey you have provided is invalid', { TagKey: key });
    if (!allowed.test(value))
      return s3Error(400, 'InvalidTag', 'The TagValue you have provided is invalid', {
        TagKey: key,
        TagValue: value,
      });
    if (keys.has(key))
      return s3Error(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key', { TagKey: key });
    keys.add(key);
  }
  return undefined;
}

/** `k1=v1&k2=v2`, as the x-amz-tagging header (and the POST form's query-style tagging) carries tags. */
export function parseTaggingQuery(value: string): [string, string][] {
  return [...new URLSearchParams(value)];
}

export interface ReadOptions {
  checksumMode: boolean;
  partsCount?: number;
}

/** The headers S3 describes an object version with (GET and HEAD). */
export function objectHeaders(
  bucket: Bucket,
  version: ObjectVersion,
  options: ReadOptions,
): Record<string, string> {
  const headers: Record<string, string> = {
    'last-modified': version.lastModified.toUTCString(),
    etag: version.eTag,
    'accept-ranges': 'bytes',
    ...versionHeader(bucket, version.versionId),
    ...encryptionHeaders(version.encryption),
  };
  for (const [name, value] of Object.entries(version.headers)) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(version.metadata))
    headers[`x-amz-meta-${name}`] = encodeMetadataValue(value);
  if (version.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = version.storageClass;
  if (version.tags.length > 0) headers['x-amz-tagging-count'] = String(version.tags.length);
  if (options.partsCount !== undefined) headers['x-amz-mp-parts-count'] = String(options.partsCount);
  if (options.checksumMode && version.checksum !== undefined) {
    headers[checksumHeader(version.checksum.algorithm)] = version.checksum.value;
    headers['x-amz-checksum-type'] = version.checksum.type;
  }
  return headers;
}

/** The `response-*` query parameters of a GET, which override the stored headers (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html). */
export function responseOverrides(request: EdgeRequest): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of [
    'content-type',
    'content-language',
    'expires',
    'cache-control',
    'content-disposition',
    'content-encoding',
  ]) {
    const value = request.url.searchParams.get(`response-${name}`);
    if (value !== null) overrides[name] = value;
  }
  return overrides;
}

function eTagList(value: string): string[] {
  return value.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/"/g, ''));
}

function eTagMatches(value: string, eTag: string): boolean {
  const bare = eTag.replace(/"/g, '');
  return eTagList(value).some((tag) => tag === '*' || tag === bare);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** An HTTP date as seconds, or undefined if it is not one (S3 ignores an invalid date). */
function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}

/**
 * The conditional headers of a GET or HEAD, in S3's precedence
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, RFC 7232):
 * If-Match (else If-Unmodified-Since) fails with 412; If-None-Match (else
 * If-Modified-Since) answers 304 with the ETag and Last-Modified.
 */
export function readCondition(
  request: EdgeRequest,
  version: ObjectVersion,
  prefix = '',
): 'precondition-failed' | 'not-modified' | undefined {
  const ifMatch = headerValue(request, `${prefix}if-match`);
  const ifNoneMatch = headerValue(request, `${prefix}if-none-match`);
  const modified = seconds(version.lastModified);
  if (ifMatch !== undefined) {
    if (!eTagMatches(ifMatch, version.eTag)) return 'precondition-failed';
  } else {
    const since = httpDate(headerValue(request, `${prefix}if-unmodified-since`));
    if (since !== undefined && modified > since) return 'precondition-failed';
  }
  if (ifNoneMatch !== undefined) {
    if (eTagMatches(ifNoneMatch, version.eTag)) return 'not-modified';
  } else {
    const since = httpDate(headerValue(request, `${prefix}if-modified-since`));
    if (since !== undefined && modified <= since) return 'not-modified';
  }
  return undefined;
}

/**
 * The conditional headers of a write (PutObject, CompleteMultipartUpload, CopyObject)
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 * `If-None-Match: *` fails with 412 when the key has a current object;
 * `If-Match` fails with 412 on another ETag, 404 when there is no object.
 */
export function writeCondition(
  request: EdgeRequest,
  current: ObjectVersion | undefined,
  key: string,
): EdgeResponse | undefined {
  const live = current !== undefined && !current.deleteMarker ? current : undefined;
  const ifNoneMatch = headerValue(request, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*')
      return s3Error(
        501,
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        {
          Header: 'If-None-Match',
        },
      );
    if (live !== undefined)
      return s3Error(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-None-Match',
        },
      );
  }
  const ifMatch = headerValue(request, 'if-match');
  if (ifMatch !== undefined) {
    if (live === undefined)
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    if (!eTagMatches(ifMatch, live.eTag))
      return s3Error(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-Match',
        },
      );
  }
  return undefined;
}
