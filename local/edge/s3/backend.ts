import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type EdgeRequest, type EdgeResponse, forward } from '../http';

/** The S3 that stores the objects (fauxqs's), as the edge reaches it: requests passed on, and the few questions the edge asks. */
export class S3Backend {
  private readonly s3: S3Client;

  constructor(
    readonly endpoint: string,
    region: string,
  ) {
    this.s3 = new S3Client({
      endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      forcePathStyle: true,
    });
  }

  /** Passes a request on as received and reads the whole answer. */
  forward(request: EdgeRequest): Promise<EdgeResponse> {
    return forward(this.endpoint, request);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const response = await forward(this.endpoint, {
      method: 'HEAD',
      url: new URL(`http://fauxqs/${encodeURIComponent(bucket)}`),
      headers: {},
      body: Buffer.alloc(0),
      remoteAddress: '127.0.0.1',
    });
    return response.status === 200;
  }

  async objectExists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  /** Size and ETag (as HeadObject gives it, quoted) of an object. */
  async describe(bucket: string, key: string): Promise<{ size: number; eTag: string }> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: head.ContentLength ?? 0, eTag: head.ETag ?? '' };
  }
}
