import type { EdgeRequest } from '../http';

/**
 * Which S3 operation a request is, from its method, its path (service, bucket
 * or object) and its query sub-resources (`?tagging`, `?uploads`, ...), as the
 * S3 API reference gives each operation's request syntax.
 *
 * Only the operations the edge acts on are named; anything else (ListObjects,
 * UploadPart, AbortMultipartUpload, ...) matches no route and goes to fauxqs
 * as it came. A new operation (e.g. PutBucketVersioning, ListObjectVersions)
 * is one more row here and one more handler in the S3 edge; the first row that
 * matches wins, so a more specific row goes before a more general one.
 */

/** The operations the edge handles itself, named as the S3 API reference names them. */
export type S3Operation =
  | 'GetBucketNotificationConfiguration'
  | 'PutBucketNotificationConfiguration'
  | 'DeleteObjects'
  | 'PostObject'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  /** Any other method on `?tagging`: answered 405 once the object is known to exist. */
  | 'UnsupportedObjectTagging'
  | 'CopyObject'
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'CompleteMultipartUpload'
  | 'DeleteObject'
  | 'GetObject'
  | 'HeadObject';

/** One row of the table: what a request must have to be this operation. */
export interface S3Route {
  readonly operation: S3Operation;
  /** What the path names: `/bucket` or `/bucket/key`. */
  readonly target: 'bucket' | 'object';
  /** The HTTP method, or `*` for any. */
  readonly method: string;
  /** Query sub-resources that must be present (`?tagging`, `?uploadId=...`). */
  readonly query?: readonly string[];
  /** Query sub-resources that must be absent. */
  readonly without?: readonly string[];
  /** A header that must be present (`x-amz-copy-source`). */
  readonly header?: string;
  /** A prefix the Content-Type must start with (`multipart/form-data` for a browser POST). */
  readonly contentType?: string;
}

/** A multipart upload's part requests (UploadPart, UploadPartCopy, ListParts, AbortMultipartUpload). */
const PARTS = ['uploadId', 'partNumber'] as const;

export const S3_ROUTES: readonly S3Route[] = [
  // Bucket sub-resources.
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
  { operation: 'DeleteObjects', target: 'bucket', method: 'POST', query: ['delete'] },
  { operation: 'PostObject', target: 'bucket', method: 'POST', contentType: 'multipart/form-data' },
  // Object sub-resources, before the plain object operations they would otherwise match.
  { operation: 'GetObjectTagging', target: 'object', method: 'GET', query: ['tagging'] },
  { operation: 'PutObjectTagging', target: 'object', method: 'PUT', query: ['tagging'] },
  { operation: 'DeleteObjectTagging', target: 'object', method: 'DELETE', query: ['tagging'] },
  { operation: 'UnsupportedObjectTagging', target: 'object', method: '*', query: ['tagging'] },
  // Objects.
  { operation: 'CopyObject', target: 'object', method: 'PUT', header: 'x-amz-copy-source', without: PARTS },
  { operation: 'PutObject', target: 'object', method: 'PUT', without: PARTS },
  { operation: 'CreateMultipartUpload', target: 'object', method: 'POST', query: ['uploads'] },
  { operation: 'CompleteMultipartUpload', target: 'object', method: 'POST', query: ['uploadId'] },
  { operation: 'DeleteObject', target: 'object', method: 'DELETE', without: ['uploadId'] },
  { operation: 'GetObject', target: 'object', method: 'GET', without: ['uploadId'] },
  { operation: 'HeadObject', target: 'object', method: 'HEAD', without: ['uploadId'] },
];

/** What a request is about: the bucket and key (decoded) and the operation, if the edge handles it. */
export interface S3Request {
  bucket: string;
  key: string;
  operation: S3Operation | undefined;
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

/** Reads a path-style request (`/bucket/key`): its bucket, key and the first route it matches. */
export function routeS3(request: EdgeRequest, routes: readonly S3Route[] = S3_ROUTES): S3Request {
  const [bucketSegment = '', ...keySegments] = request.url.pathname.slice(1).split('/');
  const bucket = decodeURIComponent(bucketSegment);
  const key = keySegments.length === 0 ? '' : decodeURIComponent(keySegments.join('/'));
  const target = bucket === '' ? 'service' : key === '' ? 'bucket' : 'object';
  const route = routes.find((candidate) => matches(candidate, request, target));
  return { bucket, key, operation: route?.operation };
}
