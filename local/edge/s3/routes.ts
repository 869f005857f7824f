import type { EdgeRequest } from '../http';

/**
 * Which S3 operation a request is, from its method, its path (service, bucket
 * or object) and its query sub-resources (`?tagging`, `?uploads`, ...), as the
 * S3 API reference gives each operation's request syntax
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html).
 * The first row that matches wins, so a more specific row goes before a more
 * general one. A sub-resource S3 has but the local runtime does not emulate
 * is `NotImplemented`, never mistaken for the plain operation (a GET of
 * `?torrent` is not a GetObject).
 */

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'GetBucketNotificationConfiguration'
  | 'PutBucketNotificationConfiguration'
  | 'GetBucketAcl'
  | 'GetBucketSubresource'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PostObject'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'GetObjectAcl'
  | 'GetObjectAttributes'
  | 'CreateMultipartUpload'
  | 'UploadPartCopy'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'CopyObject'
  | 'PutObject'
  | 'DeleteObject'
  | 'GetObject'
  | 'HeadObject'
  /** A sub-resource or method S3 has that the local runtime does not emulate. */
  | 'NotImplemented'
  /** A method S3 does not allow on the resource. */
  | 'MethodNotAllowed';

/** One row of the table: what a request must have to be this operation. */
export interface S3Route {
  readonly operation: S3Operation;
  readonly target: 'service' | 'bucket' | 'object';
  /** The HTTP method, or `*` for any. */
  readonly method: string;
  /** Query parameters that must be present. */
  readonly query?: readonly string[];
  /** Query parameters that must be absent. */
  readonly without?: readonly string[];
  /** A header that must be present (`x-amz-copy-source`). */
  readonly header?: string;
  /** A prefix the Content-Type must start with (`multipart/form-data` for a browser POST). */
  readonly contentType?: string;
}

/** Bucket configurations S3 has; a GET of one the runtime does not keep answers S3's "not configured" (see buckets.ts). */
export const BUCKET_CONFIGURATIONS = [
  'tagging',
  'policy',
  'cors',
  'lifecycle',
  'website',
  'encryption',
  'publicAccessBlock',
  'ownershipControls',
  'object-lock',
  'replication',
  'logging',
  'requestPayment',
  'accelerate',
  'policyStatus',
] as const;

/** Other sub-resources of S3: NotImplemented here (an object's retention, legal hold, restore, torrent, select...). */
const UNSUPPORTED = [
  'analytics',
  'intelligent-tiering',
  'inventory',
  'metrics',
  'legal-hold',
  'retention',
  'restore',
  'select',
  'torrent',
  'metadataTable',
  'metadataConfiguration',
  'renameObject',
  'session',
] as const;

const PARTS = ['uploadId', 'partNumber'] as const;

export const S3_ROUTES: readonly S3Route[] = [
  { operation: 'ListBuckets', target: 'service', method: 'GET' },
  // Buckets.
  { operation: 'GetBucketVersioning', target: 'bucket', method: 'GET', query: ['versioning'] },
  { operation: 'PutBucketVersioning', target: 'bucket', method: 'PUT', query: ['versioning'] },
  {
    operation: 'GetBucketNotificationConfiguration',
    target: 'bucket',
    method: 'GET',
    query: ['notification'],
  },
  {
    operation: 'PutBucketNotificationConfiguration',
    target: 'bucket',
    method: 'PUT',
    query: ['notification'],
  },
  { operation: 'GetBucketLocation', target: 'bucket', method: 'GET', query: ['location'] },
  { operation: 'GetBucketAcl', target: 'bucket', method: 'GET', query: ['acl'] },
  ...BUCKET_CONFIGURATIONS.map(
    (name): S3Route => ({
      operation: 'GetBucketSubresource',
      target: 'bucket',
      method: 'GET',
      query: [name],
    }),
  ),
  { operation: 'ListObjectVersions', target: 'bucket', method: 'GET', query: ['versions'] },
  ...[
    ...BUCKET_CONFIGURATIONS,
    ...UNSUPPORTED,
    'acl',
    'location',
    'versions',
    'notification',
    'versioning',
  ].map((name): S3Route => ({ operation: 'NotImplemented', target: 'bucket', method: '*', query: [name] })),
  { operation: 'ListMultipartUploads', target: 'bucket', method: 'GET', query: ['uploads'] },
  { operation: 'ListObjectsV2', target: 'bucket', method: 'GET', query: ['list-type'] },
  { operation: 'DeleteObjects', target: 'bucket', method: 'POST', query: ['delete'] },
  { operation: 'PostObject', target: 'bucket', method: 'POST', contentType: 'multipart/form-data' },
  { operation: 'ListObjects', target: 'bucket', method: 'GET' },
  { operation: 'HeadBucket', target: 'bucket', method: 'HEAD' },
  { operation: 'CreateBucket', target: 'bucket', method: 'PUT' },
  { operation: 'DeleteBucket', target: 'bucket', method: 'DELETE' },
  // Object sub-resources, before the plain object operations they would otherwise match.
  { operation: 'GetObjectTagging', target: 'object', method: 'GET', query: ['tagging'] },
  { operation: 'PutObjectTagging', target: 'object', method: 'PUT', query: ['tagging'] },
  { operation: 'DeleteObjectTagging', target: 'object', method: 'DELETE', query: ['tagging'] },
  { operation: 'MethodNotAllowed', target: 'object', method: '*', query: ['tagging'] },
  { operation: 'GetObjectAcl', target: 'object', method: 'GET', query: ['acl'] },
  { operation: 'GetObjectAttributes', target: 'object', method: 'GET', query: ['attributes'] },
  ...[...UNSUPPORTED, 'acl', 'attributes'].map(
    (name): S3Route => ({ operation: 'NotImplemented', target: 'object', method: '*', query: [name] }),
  ),
  { operation: 'CreateMultipartUpload', target: 'object', method: 'POST', query: ['uploads'] },
  { operation: 'UploadPartCopy', target: 'object', method: 'PUT', query: PARTS, header: 'x-amz-copy-source' },
  { operation: 'UploadPart', target: 'object', method: 'PUT', query: PARTS },
  { operation: 'CompleteMultipartUpload', target: 'object', method: 'POST', query: ['uploadId'] },
  { operation: 'AbortMultipartUpload', target: 'object', method: 'DELETE', query: ['uploadId'] },
  { operation: 'ListParts', target: 'object', method: 'GET', query: ['uploadId'] },
  { operation: 'CopyObject', target: 'object', method: 'PUT', header: 'x-amz-copy-source' },
  { operation: 'PutObject', target: 'object', method: 'PUT' },
  { operation: 'DeleteObject', target: 'object', method: 'DELETE' },
  { operation: 'GetObject', target: 'object', method: 'GET' },
  { operation: 'HeadObject', target: 'object', method: 'HEAD' },
  { operation: 'MethodNotAllowed', target: 'object', method: '*' },
];

/** What a request is about: the bucket and key (decoded, verbatim) and the operation. */
export interface S3Request {
  bucket: string;
  key: string;
  operation: S3Operation | undefined;
  /** The path could not be decoded (a malformed `%` escape, or not UTF-8). */
  invalidUri?: boolean;
}

function header(request: EdgeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function matches(route: S3Route, request: EdgeRequest, target: 'service' | 'bucket' | 'object'): boolean {
  const query = request.url.searchParams;
  return (
    route.target === target &&
    (route.method === '*' || route.method === request.method) &&
    (route.query ?? []).every((name) => query.has(name)) &&
    !(route.without ?? []).some((name) => query.has(name)) &&
    (route.header === undefined || header(request, route.header) !== undefined) &&
    (route.contentType === undefined || (header(request, 'content-type') ?? '').startsWith(route.contentType))
  );
}

/** Percent-decoding as S3 does it: a malformed escape, or bytes that are not UTF-8, throw (URIError). */
function decodeSegment(segment: string): string {
  // Node hands the request target over byte for byte (latin1); raw UTF-8 in it is decoded too.
  return decodeURIComponent(Buffer.from(segment, 'latin1').toString('utf8'));
}

/**
 * Reads a path-style request (`/bucket/key`): its bucket, key and the first
 * route it matches. The key comes from the raw request path, so
 * `a/../a/./b.txt` stays that key, as S3 keeps keys verbatim.
 */
export function routeS3(request: EdgeRequest, routes: readonly S3Route[] = S3_ROUTES): S3Request {
  const path = request.rawPath ?? request.url.pathname;
  const [bucketSegment = '', ...keySegments] = path.replace(/^\/+/, '').split('/');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeSegment(bucketSegment);
    key = keySegments.length === 0 ? '' : decodeSegment(keySegments.join('/'));
  } catch {
    return { bucket: '', key: '', operation: undefined, invalidUri: true };
  }
  const target = bucket === '' ? 'service' : key === '' ? 'bucket' : 'object';
  const route = routes.find((candidate) => matches(candidate, request, target));
  return { bucket, key, operation: route?.operation };
}
