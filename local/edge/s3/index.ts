import { join } from 'node:path';
import { MultipartUploads } from '../../s3/multipart';
import { S3Store } from '../../s3/store';
import type { Store } from '../../store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, requestId } from '../http';
import {
  createBucket,
  deleteBucket,
  getBucketAcl,
  getBucketLocation,
  getBucketSubresource,
  getBucketVersioning,
  headBucket,
  listBuckets,
  notImplemented,
  putBucketVersioning,
} from './buckets';
import type { S3Context } from './context';
import { copyObject } from './copy';
import { KeyLocks } from './key-locks';
import { listObjects, listObjectsV2, listObjectVersions } from './listing';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart';
import { Notifications, type QueueConfiguration } from './notifications';
import {
  deleteObject,
  deleteObjects,
  getObject,
  getObjectAcl,
  getObjectAttributes,
  putObject,
} from './objects';
import { postObject } from './post-form';
import { routeS3, type S3Operation, type S3Request } from './routes';
import { objectTagging } from './tagging';

export { ACCOUNT_ID, type QueueConfiguration } from './notifications';
export { Sequencer } from './sequencer';

/**
 * The S3 API of the local runtime, one implementation of its own
 * (docs/architecture.md says why): bodies on disk byte for byte and metadata
 * in SQLite (`local/s3/`), the operations here, one module per concern:
 * buckets, objects and versions, listing, multipart, copy, the browser form,
 * tagging, integrity and conditional headers, and event notifications sent
 * to SQS after each write or delete, before the client gets its answer.
 *
 * `routes.ts` says which operation a request is. Writes and deletes of one
 * key are serialized (`key-locks.ts`), so the sequencers of a key increase in
 * the order its writes were applied.
 */

export interface S3EdgeOptions {
  /** Where the notification queues live (fauxqs's SQS). */
  sqsEndpoint: string;
  store: Store;
  region: string;
  /** The directory for object bodies (`<data-dir>/s3`). */
  dataDir: string;
}

type Handler = (target: S3Request, request: EdgeRequest) => EdgeResponse | Promise<EdgeResponse>;

export class S3Edge {
  private readonly context: S3Context;

  /** One handler per operation the route table names. */
  private readonly handlers: Record<S3Operation, Handler> = {
    ListBuckets: () => listBuckets(this.context),
    CreateBucket: ({ bucket }) => createBucket(this.context, bucket),
    HeadBucket: ({ bucket }) => headBucket(this.context, bucket),
    DeleteBucket: ({ bucket }) => deleteBucket(this.context, bucket),
    GetBucketLocation: ({ bucket }) => getBucketLocation(this.context, bucket),
    GetBucketVersioning: ({ bucket }) => getBucketVersioning(this.context, bucket),
    PutBucketVersioning: ({ bucket }, request) => putBucketVersioning(this.context, bucket, request),
    GetBucketNotificationConfiguration: ({ bucket }) => this.context.notifications.get(bucket),
    PutBucketNotificationConfiguration: ({ bucket }, request) =>
      this.context.notifications.put(bucket, request),
    GetBucketAcl: ({ bucket }) => getBucketAcl(this.context, bucket),
    GetBucketSubresource: ({ bucket }, request) => getBucketSubresource(this.context, bucket, request),
    ListObjects: ({ bucket }, request) => listObjects(this.context, bucket, request),
    ListObjectsV2: ({ bucket }, request) => listObjectsV2(this.context, bucket, request),
    ListObjectVersions: ({ bucket }, request) => listObjectVersions(this.context, bucket, request),
    ListMultipartUploads: ({ bucket }, request) => listMultipartUploads(this.context, bucket, request),
    DeleteObjects: ({ bucket }, request) => deleteObjects(this.context, bucket, request),
    PostObject: ({ bucket }, request) => postObject(this.context, bucket, request),
    GetObjectTagging: ({ bucket, key }, request) =>
      objectTagging(this.context, 'GetObjectTagging', bucket, key, request),
    PutObjectTagging: ({ bucket, key }, request) =>
      objectTagging(this.context, 'PutObjectTagging', bucket, key, request),
    DeleteObjectTagging: ({ bucket, key }, request) =>
      objectTagging(this.context, 'DeleteObjectTagging', bucket, key, request),
    GetObjectAcl: ({ bucket, key }, request) => getObjectAcl(this.context, bucket, key, request),
    GetObjectAttributes: ({ bucket, key }, request) =>
      getObjectAttributes(this.context, bucket, key, request),
    CreateMultipartUpload: ({ bucket, key }, request) =>
      createMultipartUpload(this.context, bucket, key, request),
    UploadPartCopy: ({ bucket, key }, request) => uploadPartCopy(this.context, bucket, key, request),
    UploadPart: ({ bucket, key }, request) => uploadPart(this.context, bucket, key, request),
    CompleteMultipartUpload: ({ bucket, key }, request) =>
      completeMultipartUpload(this.context, bucket, key, request),
    AbortMultipartUpload: ({ bucket, key }, request) =>
      abortMultipartUpload(this.context, bucket, key, request),
    ListParts: ({ bucket, key }, request) => listParts(this.context, bucket, key, request),
    CopyObject: ({ bucket, key }, request) => copyObject(this.context, bucket, key, request),
    PutObject: ({ bucket, key }, request) => putObject(this.context, bucket, key, request),
    DeleteObject: ({ bucket, key }, request) => deleteObject(this.context, bucket, key, request),
    GetObject: ({ bucket, key }, request) => getObject(this.context, bucket, key, request),
    HeadObject: ({ bucket, key }, request) => getObject(this.context, bucket, key, request),
    NotImplemented: () => notImplemented(),
    MethodNotAllowed: (_target, request) =>
      s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        Method: request.method,
        ResourceType: 'OBJECT',
      }),
  };

  constructor(options: S3EdgeOptions) {
    const store = new S3Store(options.store, options.dataDir);
    this.context = {
      store,
      uploads: new MultipartUploads(options.store),
      locks: new KeyLocks(),
      notifications: new Notifications({
        store: options.store,
        bucketExists: (bucket) => store.bucket(bucket) !== undefined,
        sqsEndpoint: options.sqsEndpoint,
        region: options.region,
      }),
      region: options.region,
    };
  }

  /** Answers one S3 request; every answer carries a request id (the one in an error body, if any). */
  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    let response: EdgeResponse;
    try {
      response = await this.answer(request);
    } catch (error) {
      // What S3 answers when it fails: an error clients can parse (and retry), not a bare 500.
      response = s3Error(
        500,
        'InternalError',
        `We encountered an internal error. Please try again. (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (response.headers['x-amz-request-id'] === undefined) {
      const id = requestId();
      response.headers['x-amz-request-id'] = id;
      response.headers['x-amz-id-2'] = `local/${id}`;
    }
    return response;
  }

  private answer(request: EdgeRequest): EdgeResponse | Promise<EdgeResponse> {
    const target = routeS3(request);
    if (target.invalidUri) return s3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
    if (target.operation === undefined)
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        Method: request.method,
      });
    return this.handlers[target.operation](target, request);
  }

  /** The queue destinations of a bucket's notification configuration. */
  notificationConfiguration(bucket: string): QueueConfiguration[] {
    return this.context.notifications.configuration(bucket);
  }
}

/** Where the S3 bodies of a data directory live. */
export function s3DataDir(dataDir: string): string {
  return join(dataDir, 's3');
}
