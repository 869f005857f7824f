import { normalizeETag } from '../../../functions/core/s3-event';
import type { Store } from '../../store';
import { type EdgeRequest, type EdgeResponse, headerValue } from '../http';
import { S3Backend } from './backend';
import { KeyLocks } from './key-locks';
import { type KnownObject, Notifications, type QueueConfiguration } from './notifications';
import { routeS3, type S3Operation, type S3Request } from './routes';
import { ObjectTags, type TaggingOperation } from './tagging';
import { s3Xml } from './xml';

export { ACCOUNT_ID, type QueueConfiguration } from './notifications';
export { Sequencer } from './sequencer';

/**
 * The S3 API of the local runtime: fauxqs stores the objects (it decodes
 * `aws-chunked` streamed uploads and computes multipart ETags as S3 does);
 * this edge closes its gaps, each covered by a test in test/e2e:
 *
 * - event notifications (`notifications.ts`): after each successful write or
 *   delete, an S3 event record goes to the queues the bucket's notification
 *   configuration names, before the client gets its answer;
 * - object tagging (`tagging.ts`).
 *
 * `routes.ts` says which operation a request is; this class runs the
 * operation's handler, or passes the request to fauxqs untouched. Writes and
 * deletes of one key are serialized (`key-locks.ts`), so the sequencers of a
 * key increase in the order its writes were applied.
 */

export interface S3EdgeOptions {
  fauxqsEndpoint: string;
  store: Store;
  region: string;
}

type Handler = (target: S3Request, request: EdgeRequest) => Promise<EdgeResponse>;

export class S3Edge {
  private readonly backend: S3Backend;
  private readonly notifications: Notifications;
  private readonly tags: ObjectTags;
  private readonly locks = new KeyLocks();

  /** One handler per operation the route table names. */
  private readonly handlers: Record<S3Operation, Handler> = {
    GetBucketNotificationConfiguration: ({ bucket }) => this.notifications.get(bucket),
    PutBucketNotificationConfiguration: ({ bucket }, request) => this.notifications.put(bucket, request),
    DeleteObjects: ({ bucket }, request) => this.deleteObjects(bucket, request),
    PostObject: ({ bucket }, request) => this.postObject(bucket, request),
    GetObjectTagging: (target, request) => this.tagging('GetObjectTagging', target, request),
    PutObjectTagging: (target, request) => this.tagging('PutObjectTagging', target, request),
    DeleteObjectTagging: (target, request) => this.tagging('DeleteObjectTagging', target, request),
    UnsupportedObjectTagging: (target, request) => this.tagging('UnsupportedObjectTagging', target, request),
    CopyObject: ({ bucket, key }, request) => this.putObject(bucket, key, request),
    PutObject: ({ bucket, key }, request) => this.putObject(bucket, key, request),
    CreateMultipartUpload: (_target, request) => this.createMultipartUpload(request),
    CompleteMultipartUpload: ({ bucket, key }, request) => this.completeMultipartUpload(bucket, key, request),
    DeleteObject: ({ bucket, key }, request) => this.deleteObject(bucket, key, request),
    GetObject: ({ bucket, key }, request) => this.withTagCount(bucket, key, request),
    HeadObject: ({ bucket, key }, request) => this.withTagCount(bucket, key, request),
  };

  constructor(options: S3EdgeOptions) {
    this.backend = new S3Backend(options.fauxqsEndpoint, options.region);
    this.notifications = new Notifications({
      store: options.store,
      backend: this.backend,
      sqsEndpoint: options.fauxqsEndpoint,
      region: options.region,
    });
    this.tags = new ObjectTags(options.store, this.backend);
  }

  handle(request: EdgeRequest): Promise<EdgeResponse> {
    const target = routeS3(request);
    if (target.operation === undefined) return this.backend.forward(request);
    return this.handlers[target.operation](target, request);
  }

  /** The queue destinations of a bucket's notification configuration. */
  notificationConfiguration(bucket: string): QueueConfiguration[] {
    return this.notifications.configuration(bucket);
  }

  // --- writes and deletes: passed on, then announced -----------------------------------------

  /** PutObject and CopyObject. */
  private putObject(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const copySource = headerValue(request, 'x-amz-copy-source');
      const response = await this.backend.forward(request);
      // A CopyObject may answer 200 with an error document.
      if (response.status !== 200 || (copySource !== undefined && response.body.includes('<Error>')))
        return response;
      this.tags.write(bucket, key, this.tags.ofWrite(request));
      const eventName = copySource === undefined ? 'ObjectCreated:Put' : 'ObjectCreated:Copy';
      await this.notifications.announce(bucket, key, eventName, request, this.knownObject(request, response));
      return response;
    });
  }

  /** A plain PutObject states its size (decoded, for aws-chunked bodies) and its answer the ETag: no HeadObject needed. */
  private knownObject(request: EdgeRequest, response: EdgeResponse): KnownObject | undefined {
    if (headerValue(request, 'x-amz-copy-source') !== undefined) return undefined;
    const encoding = headerValue(request, 'content-encoding') ?? '';
    const size = encoding.includes('aws-chunked')
      ? headerValue(request, 'x-amz-decoded-content-length')
      : String(request.body.length);
    const eTag = response.headers.etag;
    return size !== undefined && typeof eTag === 'string'
      ? { size: Number(size), eTag: normalizeETag(eTag) }
      : undefined;
  }

  private async createMultipartUpload(request: EdgeRequest): Promise<EdgeResponse> {
    const response = await this.backend.forward(request);
    this.tags.stageUpload(request, response);
    return response;
  }

  private completeMultipartUpload(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.backend.forward(request);
      // S3 may answer 200 with an error document: only a CompleteMultipartUploadResult is a success.
      if (response.status !== 200 || !response.body.includes('CompleteMultipartUploadResult'))
        return response;
      this.tags.write(bucket, key, this.tags.takeStaged(request.url.searchParams.get('uploadId') ?? ''));
      await this.notifications.announce(bucket, key, 'ObjectCreated:CompleteMultipartUpload', request);
      return response;
    });
  }

  /** A browser-form upload (POST Object). */
  private async postObject(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const form = request.body.toString('latin1');
    const keyField = /name="key"\r\n\r\n([^\r]*)\r\n/.exec(form)?.[1];
    const filename = /name="file"; filename="([^"]*)"/.exec(form)?.[1] ?? '';
    if (keyField === undefined) return this.backend.forward(request);
    // S3 replaces the literal ${filename} in the key field with the uploaded file's name.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: that literal is the S3 placeholder, not a template
    const key = Buffer.from(keyField.replace('${filename}', filename), 'latin1').toString('utf8');
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.backend.forward(request);
      if (response.status >= 200 && response.status < 400) {
        this.tags.write(bucket, key, undefined);
        await this.notifications.announce(bucket, key, 'ObjectCreated:Post', request);
      }
      return response;
    });
  }

  private deleteObject(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.backend.forward(request);
      // S3 announces a delete even when the key did not exist.
      if (response.status === 204 || response.status === 200) {
        this.tags.write(bucket, key, undefined);
        await this.notifications.announce(bucket, key, 'ObjectRemoved:Delete', request);
      }
      return response;
    });
  }

  private deleteObjects(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const parsed = s3Xml.parse(request.body.toString('utf8')) as {
      Delete?: { Object?: { Key?: string } | { Key?: string }[] };
    };
    const objects = [parsed.Delete?.Object ?? []].flat();
    const keys = objects.flatMap((object) => (object.Key === undefined ? [] : [`${bucket}/${object.Key}`]));
    return this.locks.run(keys, async () => {
      const response = await this.backend.forward(request);
      if (response.status !== 200) return response;
      const result = s3Xml.parse(response.body.toString('utf8')) as {
        DeleteResult?: { Deleted?: { Key?: string }[] };
      };
      for (const deleted of result.DeleteResult?.Deleted ?? []) {
        if (deleted.Key === undefined) continue;
        this.tags.write(bucket, deleted.Key, undefined);
        await this.notifications.announce(bucket, deleted.Key, 'ObjectRemoved:Delete', request);
      }
      return response;
    });
  }

  // --- reads and tagging ---------------------------------------------------------------------

  private tagging(
    operation: TaggingOperation,
    { bucket, key }: S3Request,
    request: EdgeRequest,
  ): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], () => this.tags.handle(operation, bucket, key, request));
  }

  /** GetObject and HeadObject, with x-amz-tagging-count. */
  private async withTagCount(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.tags.withCount(bucket, key, await this.backend.forward(request));
  }
}
