import type { EdgeRequest } from '../../../../local/edge/http';
import { routeS3, S3_ROUTES } from '../../../../local/edge/s3/routes';

/**
 * The route table of the local S3 edge against each operation's request
 * syntax in the Amazon S3 API Reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_<Operation>.html),
 * path-style (`/bucket/key`), as the local runtime is addressed.
 */

function request(method: string, path: string, headers: Record<string, string> = {}): EdgeRequest {
  return {
    method,
    url: new URL(path, 'http://127.0.0.1:4566'),
    headers,
    body: Buffer.alloc(0),
    remoteAddress: '127.0.0.1',
  };
}

const operation = (method: string, path: string, headers?: Record<string, string>) =>
  routeS3(request(method, path, headers)).operation;

describe('routeS3: operations', () => {
  it.each([
    // API_ListBuckets.html: GET /
    ['GET', '/', 'ListBuckets'],
    // API_CreateBucket.html, API_HeadBucket.html, API_DeleteBucket.html: /Bucket
    ['PUT', '/photos', 'CreateBucket'],
    ['HEAD', '/photos', 'HeadBucket'],
    ['DELETE', '/photos', 'DeleteBucket'],
    // API_GetBucketLocation.html: GET /?location; API_GetBucketVersioning.html, API_PutBucketVersioning.html
    ['GET', '/photos?location', 'GetBucketLocation'],
    ['GET', '/photos?versioning', 'GetBucketVersioning'],
    ['PUT', '/photos?versioning', 'PutBucketVersioning'],
    // API_GetBucketNotificationConfiguration.html, API_PutBucketNotificationConfiguration.html: /?notification
    ['GET', '/photos?notification', 'GetBucketNotificationConfiguration'],
    ['PUT', '/photos?notification', 'PutBucketNotificationConfiguration'],
    // API_GetBucketAcl.html; API_GetBucketTagging.html and other configurations nobody set
    ['GET', '/photos?acl', 'GetBucketAcl'],
    ['GET', '/photos?tagging', 'GetBucketSubresource'],
    ['GET', '/photos?policy', 'GetBucketSubresource'],
    // API_ListObjects.html: GET /; API_ListObjectsV2.html: GET /?list-type=2; API_ListObjectVersions.html: GET /?versions
    ['GET', '/photos', 'ListObjects'],
    ['GET', '/photos?list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', '/photos?versions', 'ListObjectVersions'],
    // API_ListMultipartUploads.html: GET /?uploads
    ['GET', '/photos?uploads', 'ListMultipartUploads'],
    // API_DeleteObjects.html: POST /?delete
    ['POST', '/photos?delete', 'DeleteObjects'],
    // API_GetObjectTagging.html, API_PutObjectTagging.html, API_DeleteObjectTagging.html: /{Key+}?tagging
    ['GET', '/photos/a.jpg?tagging', 'GetObjectTagging'],
    ['PUT', '/photos/a.jpg?tagging', 'PutObjectTagging'],
    ['DELETE', '/photos/a.jpg?tagging', 'DeleteObjectTagging'],
    ['POST', '/photos/a.jpg?tagging', 'MethodNotAllowed'],
    // API_GetObjectAcl.html: GET /{Key+}?acl; API_GetObjectAttributes.html: GET /{Key+}?attributes
    ['GET', '/photos/a.jpg?acl', 'GetObjectAcl'],
    ['GET', '/photos/a.jpg?attributes', 'GetObjectAttributes'],
    // API_PutObject.html: PUT /Key+
    ['PUT', '/photos/a.jpg', 'PutObject'],
    // API_CreateMultipartUpload.html, API_UploadPart.html, API_CompleteMultipartUpload.html,
    // API_AbortMultipartUpload.html, API_ListParts.html
    ['POST', '/photos/a.jpg?uploads', 'CreateMultipartUpload'],
    ['PUT', '/photos/a.jpg?partNumber=1&uploadId=abc', 'UploadPart'],
    ['POST', '/photos/a.jpg?uploadId=abc', 'CompleteMultipartUpload'],
    ['DELETE', '/photos/a.jpg?uploadId=abc', 'AbortMultipartUpload'],
    ['GET', '/photos/a.jpg?uploadId=abc', 'ListParts'],
    // API_DeleteObject.html: DELETE /Key+?versionId=VersionId (the version id is optional)
    ['DELETE', '/photos/a.jpg', 'DeleteObject'],
    ['DELETE', '/photos/a.jpg?versionId=abc', 'DeleteObject'],
    // API_GetObject.html: GET /Key+ (optional partNumber, versionId, range); API_HeadObject.html: HEAD /Key+
    ['GET', '/photos/a.jpg', 'GetObject'],
    ['GET', '/photos/a.jpg?partNumber=1', 'GetObject'],
    ['GET', '/photos/a.jpg?response-content-type=text/plain&X-Amz-Signature=abc', 'GetObject'],
    ['HEAD', '/photos/a.jpg', 'HeadObject'],
  ])('%s %s is %s', (method, path, expected) => {
    expect(operation(method, path)).toBe(expected);
  });

  it('a PUT with x-amz-copy-source is CopyObject (API_CopyObject.html)', () => {
    expect(operation('PUT', '/photos/copy.jpg', { 'x-amz-copy-source': '/photos/a.jpg' })).toBe('CopyObject');
  });

  it('UploadPartCopy (PUT ?partNumber&uploadId with x-amz-copy-source) is not CopyObject (API_UploadPartCopy.html)', () => {
    expect(
      operation('PUT', '/photos/a.jpg?partNumber=2&uploadId=abc', { 'x-amz-copy-source': '/photos/b.jpg' }),
    ).toBe('UploadPartCopy');
  });

  it('a browser-form POST to the bucket is PostObject (RESTObjectPOST.html: multipart/form-data)', () => {
    expect(operation('POST', '/photos', { 'content-type': 'multipart/form-data; boundary=----xyz' })).toBe(
      'PostObject',
    );
  });

  it.each([
    ['GET', '/photos?analytics'],
    ['PUT', '/photos?policy'],
    ['DELETE', '/photos?notification'],
    ['GET', '/photos/a.jpg?torrent'],
    ['POST', '/photos/a.jpg?restore'],
    ['PUT', '/photos/a.jpg?retention'],
  ])(
    '%s %s is a sub-resource S3 has and the runtime does not emulate: NotImplemented, never a listing or the object',
    (method, path) => {
      expect(operation(method, path)).toBe('NotImplemented');
    },
  );
});

describe('routeS3: bucket and key', () => {
  it('decodes the key, keeping its slashes', () => {
    expect(routeS3(request('GET', '/my-bucket/dir/sub/Q3%20report%20%28final%29%2Bdraft.csv'))).toEqual({
      bucket: 'my-bucket',
      key: 'dir/sub/Q3 report (final)+draft.csv',
      operation: 'GetObject',
    });
  });

  it('keeps a key that ends with a slash (a "folder" object)', () => {
    expect(routeS3(request('PUT', '/my-bucket/folder/'))).toMatchObject({
      key: 'folder/',
      operation: 'PutObject',
    });
  });

  it('has no bucket for the service itself', () => {
    expect(routeS3(request('GET', '/'))).toEqual({ bucket: '', key: '', operation: 'ListBuckets' });
  });

  it('takes the key from the raw path: . and .. segments are part of the key (S3 keeps keys verbatim)', () => {
    expect(routeS3({ ...request('GET', '/b/a/../a/./c.txt'), rawPath: '/b/a/../a/./c.txt' }).key).toBe(
      'a/../a/./c.txt',
    );
  });

  it('marks a malformed percent-escape or bytes that are not UTF-8 as an invalid URI', () => {
    expect(routeS3({ ...request('GET', '/b/x'), rawPath: '/b/bad%zz' }).invalidUri).toBe(true);
    expect(routeS3({ ...request('GET', '/b/x'), rawPath: '/b/%FF%FE' }).invalidUri).toBe(true);
  });
});

describe('S3_ROUTES', () => {
  it('puts every row where an earlier, more general row would not hide it', () => {
    for (const [index, route] of S3_ROUTES.entries()) {
      const path = route.target === 'service' ? '/' : route.target === 'bucket' ? '/b' : '/b/k';
      const query = (route.query ?? []).map((name) => `${name}=x`).join('&');
      const headers: Record<string, string> = {};
      if (route.header !== undefined) headers[route.header] = '/b/source';
      if (route.contentType !== undefined) headers['content-type'] = route.contentType;
      const method = route.method === '*' ? 'OPTIONS' : route.method;
      const found = routeS3(request(method, query === '' ? path : `${path}?${query}`, headers));
      expect({ index, operation: found.operation }).toEqual({ index, operation: route.operation });
    }
  });
});
