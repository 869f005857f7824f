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

describe('routeS3: operations the edge handles', () => {
  it.each([
    // API_GetBucketNotificationConfiguration.html: GET /?notification
    ['GET', '/photos?notification', 'GetBucketNotificationConfiguration'],
    // API_PutBucketNotificationConfiguration.html: PUT /?notification
    ['PUT', '/photos?notification', 'PutBucketNotificationConfiguration'],
    // API_DeleteObjects.html: POST /?delete
    ['POST', '/photos?delete', 'DeleteObjects'],
    // API_GetObjectTagging.html, API_PutObjectTagging.html, API_DeleteObjectTagging.html: /{Key+}?tagging
    ['GET', '/photos/a.jpg?tagging', 'GetObjectTagging'],
    ['PUT', '/photos/a.jpg?tagging', 'PutObjectTagging'],
    ['DELETE', '/photos/a.jpg?tagging', 'DeleteObjectTagging'],
    // API_PutObject.html: PUT /Key+
    ['PUT', '/photos/a.jpg', 'PutObject'],
    // API_CreateMultipartUpload.html: POST /{Key+}?uploads
    ['POST', '/photos/a.jpg?uploads', 'CreateMultipartUpload'],
    // API_CompleteMultipartUpload.html: POST /Key+?uploadId=UploadId
    ['POST', '/photos/a.jpg?uploadId=abc', 'CompleteMultipartUpload'],
    // API_DeleteObject.html: DELETE /Key+?versionId=VersionId (the version id is optional)
    ['DELETE', '/photos/a.jpg', 'DeleteObject'],
    // API_GetObject.html: GET /Key+ (optional partNumber, versionId, range); API_HeadObject.html: HEAD /Key+
    ['GET', '/photos/a.jpg', 'GetObject'],
    ['GET', '/photos/a.jpg?partNumber=1', 'GetObject'],
    ['HEAD', '/photos/a.jpg', 'HeadObject'],
  ])('%s %s is %s', (method, path, expected) => {
    expect(operation(method, path)).toBe(expected);
  });

  it('a PUT with x-amz-copy-source is CopyObject (API_CopyObject.html)', () => {
    expect(operation('PUT', '/photos/copy.jpg', { 'x-amz-copy-source': '/photos/a.jpg' })).toBe('CopyObject');
  });

  it('a browser-form POST to the bucket is PostObject (RESTObjectPOST.html: multipart/form-data)', () => {
    expect(operation('POST', '/photos', { 'content-type': 'multipart/form-data; boundary=----xyz' })).toBe(
      'PostObject',
    );
  });

  it('another method on ?tagging is named, to be refused once the object is known', () => {
    expect(operation('POST', '/photos/a.jpg?tagging')).toBe('UnsupportedObjectTagging');
  });
});

describe('routeS3: operations passed to the backend untouched', () => {
  it.each([
    // API_ListBuckets.html: GET /
    ['GET', '/'],
    // API_CreateBucket.html: PUT /Bucket; API_HeadBucket.html: HEAD /Bucket; API_DeleteBucket.html
    ['PUT', '/photos'],
    ['HEAD', '/photos'],
    ['DELETE', '/photos'],
    // API_ListObjectsV2.html: GET /?list-type=2
    ['GET', '/photos?list-type=2&prefix=a'],
    // API_UploadPart.html: PUT /Key+?partNumber=PartNumber&uploadId=UploadId
    ['PUT', '/photos/a.jpg?partNumber=1&uploadId=abc'],
    // API_ListParts.html: GET /Key+?uploadId=UploadId
    ['GET', '/photos/a.jpg?uploadId=abc'],
    // API_AbortMultipartUpload.html: DELETE /Key+?uploadId=UploadId
    ['DELETE', '/photos/a.jpg?uploadId=abc'],
    // API_ListMultipartUploads.html: GET /?uploads
    ['GET', '/photos?uploads'],
    // A POST to a bucket that is not a form upload or a batch delete.
    ['POST', '/photos'],
  ])('%s %s', (method, path) => {
    expect(operation(method, path)).toBeUndefined();
  });

  it('UploadPartCopy (PUT ?partNumber&uploadId with x-amz-copy-source) is not CopyObject (API_UploadPartCopy.html)', () => {
    expect(
      operation('PUT', '/photos/a.jpg?partNumber=2&uploadId=abc', { 'x-amz-copy-source': '/photos/b.jpg' }),
    ).toBeUndefined();
  });

  it('?notification with a method the operations do not use is not a notification operation', () => {
    expect(operation('DELETE', '/photos?notification')).toBeUndefined();
  });
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

  it('has no bucket and no operation for the service itself', () => {
    expect(routeS3(request('GET', '/'))).toEqual({ bucket: '', key: '', operation: undefined });
  });
});

describe('S3_ROUTES', () => {
  it('names each operation once', () => {
    const names = S3_ROUTES.map((route) => route.operation);
    expect(new Set(names).size).toBe(names.length);
  });

  it('puts every row where an earlier, more general row would not hide it', () => {
    for (const [index, route] of S3_ROUTES.entries()) {
      const path = route.target === 'bucket' ? '/b' : '/b/k';
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
