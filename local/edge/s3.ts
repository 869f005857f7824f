import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { XMLParser } from 'fast-xml-parser';
import { encodeS3Key } from '../../functions/core/keys';
import type { Store } from '../store';
import { type EdgeRequest, type EdgeResponse, forward, reply, requestId, xmlEscape } from './http';

/**
 * The S3 API of the local runtime: fauxqs stores the objects (it decodes
 * `aws-chunked` streamed uploads and computes multipart ETags as S3 does);
 * this edge closes its gaps, each covered by a test in test/e2e:
 *
 * - event notifications: after each successful write or delete, an S3 event
 *   record (version 2.1, URL-encoded key, increasing sequencer, bucket ARN)
 *   goes to the queues the bucket's notification configuration names, with its
 *   prefix/suffix filters, before the client gets its answer;
 * - PutBucketNotificationConfiguration / GetBucketNotificationConfiguration,
 *   with the s3:TestEvent S3 sends when a configuration is saved;
 * - object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging,
 *   the x-amz-tagging header on PutObject, CreateMultipartUpload and CopyObject.
 *
 * Writes and deletes of one key are serialized, so the sequencers of a key
 * increase in the order its writes were applied.
 */

export const ACCOUNT_ID = '000000000000';

/** One queue destination of a bucket's notification configuration. */
export interface QueueConfiguration {
  id: string;
  queueArn: string;
  /** e.g. `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`. */
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** Hands out S3-style sequencers that only increase (also across restarts, with the clock). */
export class Sequencer {
  private last = 0n;

  next(): string {
    const now = BigInt(Date.now()) << 16n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}

/** Runs work for a set of keys one at a time per key. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const previous = sorted.map((key) => this.tails.get(key) ?? Promise.resolve());
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of sorted) this.tails.set(key, mine);
    await Promise.allSettled(previous);
    try {
      return await work();
    } finally {
      release();
      for (const key of sorted) if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) =>
    [
      'QueueConfiguration',
      'TopicConfiguration',
      'CloudFunctionConfiguration',
      'Event',
      'FilterRule',
      'Tag',
      'Deleted',
    ].includes(name),
});

function s3Error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): EdgeResponse {
  const fields = Object.entries(extra)
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  return reply(
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${fields}<RequestId>${requestId()}</RequestId></Error>`,
    'application/xml',
  );
}

/** `k1=v1&k2=v2`, as the x-amz-tagging header carries tags. */
function parseTaggingHeader(value: string | string[] | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(new URLSearchParams(Array.isArray(value) ? value.join('&') : value));
}

function header(request: EdgeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Matches `s3:ObjectCreated:Put` against a configured pattern such as `s3:ObjectCreated:*`. */
function eventMatches(pattern: string, eventName: string): boolean {
  const full = `s3:${eventName}`;
  return pattern.endsWith(':*') ? full.startsWith(pattern.slice(0, -1)) : pattern === full;
}

export interface S3EdgeOptions {
  fauxqsEndpoint: string;
  store: Store;
  region: string;
}

export class S3Edge {
  private readonly s3: S3Client;
  private readonly sqs: SQSClient;
  private readonly locks = new KeyLocks();
  private readonly sequencer = new Sequencer();

  constructor(private readonly options: S3EdgeOptions) {
    const client = {
      endpoint: options.fauxqsEndpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    this.s3 = new S3Client({ ...client, forcePathStyle: true });
    this.sqs = new SQSClient(client);
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const [bucketSegment = '', ...keySegments] = request.url.pathname.slice(1).split('/');
    const bucket = decodeURIComponent(bucketSegment);
    const key = keySegments.length === 0 ? '' : decodeURIComponent(keySegments.join('/'));
    const query = request.url.searchParams;
    const method = request.method;

    if (bucket === '') return this.proxy(request);
    if (key === '') {
      if (query.has('notification')) {
        if (method === 'GET') return this.getNotification(bucket);
        if (method === 'PUT') return this.putNotification(bucket, request);
      }
      if (method === 'POST' && query.has('delete')) return this.deleteObjects(bucket, request);
      if (method === 'POST' && (header(request, 'content-type') ?? '').startsWith('multipart/form-data')) {
        return this.postObject(bucket, request);
      }
      return this.proxy(request);
    }
    if (query.has('tagging')) return this.tagging(bucket, key, request);
    if (method === 'PUT' && !query.has('uploadId') && !query.has('partNumber'))
      return this.putObject(bucket, key, request);
    if (method === 'POST' && query.has('uploads')) return this.createMultipartUpload(request);
    if (method === 'POST' && query.has('uploadId')) return this.completeMultipartUpload(bucket, key, request);
    if (method === 'DELETE' && !query.has('uploadId')) return this.deleteObject(bucket, key, request);
    if ((method === 'GET' || method === 'HEAD') && !query.has('uploadId'))
      return this.withTagCount(bucket, key, request);
    return this.proxy(request);
  }

  private proxy(request: EdgeRequest): Promise<EdgeResponse> {
    return forward(this.options.fauxqsEndpoint, request);
  }

  // --- writes and deletes: proxied, then announced -------------------------------------------

  private putObject(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const copySource = header(request, 'x-amz-copy-source');
      const response = await this.proxy(request);
      if (response.status !== 200 || (copySource !== undefined && response.body.includes('<Error>')))
        return response;
      let tags = parseTaggingHeader(request.headers['x-amz-tagging']);
      if (copySource !== undefined && header(request, 'x-amz-tagging-directive') !== 'REPLACE') {
        const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0] ?? '');
        const slash = source.indexOf('/');
        tags = this.readTags(source.slice(0, slash), source.slice(slash + 1));
      }
      this.writeTags(bucket, key, tags);
      // A plain PutObject states its size (decoded, for aws-chunked bodies) and its answer the ETag: no HeadObject needed.
      const encoding = header(request, 'content-encoding') ?? '';
      const size = encoding.includes('aws-chunked')
        ? header(request, 'x-amz-decoded-content-length')
        : String(request.body.length);
      const eTag = response.headers.etag;
      const known =
        copySource === undefined && size !== undefined && typeof eTag === 'string'
          ? { size: Number(size), eTag: eTag.replace(/"/g, '') }
          : undefined;
      const eventName = copySource === undefined ? 'ObjectCreated:Put' : 'ObjectCreated:Copy';
      await this.announce(bucket, key, eventName, request, known);
      return response;
    });
  }

  private async createMultipartUpload(request: EdgeRequest): Promise<EdgeResponse> {
    const response = await this.proxy(request);
    const tags = parseTaggingHeader(request.headers['x-amz-tagging']);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(response.body.toString('utf8'))?.[1];
    if (response.status === 200 && tags !== undefined && uploadId !== undefined) {
      this.options.store
        .prepare('INSERT OR REPLACE INTO s3_upload_tags (upload_id, tags) VALUES (?, ?)')
        .run(uploadId, JSON.stringify(tags));
    }
    return response;
  }

  private completeMultipartUpload(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.proxy(request);
      // S3 may answer 200 with an error document: only a CompleteMultipartUploadResult is a success.
      if (response.status !== 200 || !response.body.includes('CompleteMultipartUploadResult'))
        return response;
      const uploadId = request.url.searchParams.get('uploadId') ?? '';
      const row = this.options.store
        .prepare('SELECT tags FROM s3_upload_tags WHERE upload_id = ?')
        .get(uploadId) as { tags: string } | undefined;
      this.writeTags(
        bucket,
        key,
        row === undefined ? undefined : (JSON.parse(row.tags) as Record<string, string>),
      );
      this.options.store.prepare('DELETE FROM s3_upload_tags WHERE upload_id = ?').run(uploadId);
      await this.announce(bucket, key, 'ObjectCreated:CompleteMultipartUpload', request);
      return response;
    });
  }

  private async postObject(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const form = request.body.toString('latin1');
    const keyField = /name="key"\r\n\r\n([^\r]*)\r\n/.exec(form)?.[1];
    const filename = /name="file"; filename="([^"]*)"/.exec(form)?.[1] ?? '';
    if (keyField === undefined) return this.proxy(request);
    // S3 replaces the literal ${filename} in the key field with the uploaded file's name.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: that literal is the S3 placeholder, not a template
    const key = Buffer.from(keyField.replace('${filename}', filename), 'latin1').toString('utf8');
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.proxy(request);
      if (response.status >= 200 && response.status < 400) {
        this.writeTags(bucket, key, undefined);
        await this.announce(bucket, key, 'ObjectCreated:Post', request);
      }
      return response;
    });
  }

  private deleteObject(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      const response = await this.proxy(request);
      // S3 announces a delete even when the key did not exist.
      if (response.status === 204 || response.status === 200) {
        this.writeTags(bucket, key, undefined);
        await this.announce(bucket, key, 'ObjectRemoved:Delete', request);
      }
      return response;
    });
  }

  private deleteObjects(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const parsed = xml.parse(request.body.toString('utf8')) as {
      Delete?: { Object?: { Key?: string } | { Key?: string }[] };
    };
    const objects = [parsed.Delete?.Object ?? []].flat();
    const keys = objects.flatMap((object) => (object.Key === undefined ? [] : [`${bucket}/${object.Key}`]));
    return this.locks.run(keys, async () => {
      const response = await this.proxy(request);
      if (response.status !== 200) return response;
      const result = xml.parse(response.body.toString('utf8')) as {
        DeleteResult?: { Deleted?: { Key?: string }[] };
      };
      for (const deleted of result.DeleteResult?.Deleted ?? []) {
        if (deleted.Key === undefined) continue;
        this.writeTags(bucket, deleted.Key, undefined);
        await this.announce(bucket, deleted.Key, 'ObjectRemoved:Delete', request);
      }
      return response;
    });
  }

  /** Sends the event record of a write or delete to every matching queue of the bucket's configuration. */
  private async announce(
    bucket: string,
    key: string,
    eventName: string,
    request: EdgeRequest,
    known?: { size: number; eTag: string },
  ): Promise<void> {
    const destinations = this.notificationConfiguration(bucket).filter(
      (configuration) =>
        configuration.events.some((pattern) => eventMatches(pattern, eventName)) &&
        key.startsWith(configuration.prefix ?? '') &&
        key.endsWith(configuration.suffix ?? ''),
    );
    if (destinations.length === 0) return;
    const object: Record<string, unknown> = { key: encodeS3Key(key) };
    if (known !== undefined) {
      object.size = known.size;
      object.eTag = known.eTag;
    } else if (eventName.startsWith('ObjectCreated:')) {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      object.size = head.ContentLength ?? 0;
      object.eTag = (head.ETag ?? '').replace(/"/g, '');
    }
    object.sequencer = this.sequencer.next();
    const id = requestId();
    for (const destination of destinations) {
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: this.options.region,
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: `AWS:${ACCOUNT_ID}` },
        requestParameters: { sourceIPAddress: request.remoteAddress },
        responseElements: { 'x-amz-request-id': id, 'x-amz-id-2': `local/${id}` },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: destination.id,
          bucket: { name: bucket, ownerIdentity: { principalId: ACCOUNT_ID }, arn: `arn:aws:s3:::${bucket}` },
          object,
        },
      };
      await this.sendToQueue(destination.queueArn, JSON.stringify({ Records: [record] }));
    }
  }

  private async sendToQueue(queueArn: string, body: string): Promise<void> {
    const [, , , , account, name] = queueArn.split(':');
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: `${this.options.fauxqsEndpoint}/${account}/${name}`,
        MessageBody: body,
      }),
    );
  }

  // --- notification configuration -----------------------------------------------------------

  notificationConfiguration(bucket: string): QueueConfiguration[] {
    const row = this.options.store
      .prepare('SELECT configuration FROM s3_notifications WHERE bucket = ?')
      .get(bucket) as { configuration: string } | undefined;
    return row === undefined ? [] : (JSON.parse(row.configuration) as QueueConfiguration[]);
  }

  private async putNotification(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const exists = await this.bucketExists(bucket);
    if (!exists)
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    type FilterRule = { Name?: string; Value?: string };
    type Parsed = {
      NotificationConfiguration?: {
        QueueConfiguration?: {
          Id?: string;
          Queue?: string;
          Event?: string[];
          Filter?: { S3Key?: { FilterRule?: FilterRule[] } };
        }[];
        TopicConfiguration?: unknown[];
        CloudFunctionConfiguration?: unknown[];
        EventBridgeConfiguration?: unknown;
      };
    };
    const parsed = xml.parse(request.body.toString('utf8')) as Parsed;
    const root = parsed.NotificationConfiguration ?? {};
    if (
      root.TopicConfiguration ||
      root.CloudFunctionConfiguration ||
      root.EventBridgeConfiguration !== undefined
    ) {
      return s3Error(
        400,
        'InvalidArgument',
        'The local runtime delivers S3 notifications to SQS queues only (QueueConfiguration)',
      );
    }
    const configurations: QueueConfiguration[] = (root.QueueConfiguration ?? []).map((entry, index) => {
      const rules = entry.Filter?.S3Key?.FilterRule ?? [];
      const rule = (name: string) => rules.find((candidate) => candidate.Name?.toLowerCase() === name)?.Value;
      const prefix = rule('prefix');
      const suffix = rule('suffix');
      return {
        id: entry.Id ?? `notification-${index + 1}`,
        queueArn: entry.Queue ?? '',
        events: entry.Event ?? [],
        ...(prefix !== undefined ? { prefix } : {}),
        ...(suffix !== undefined ? { suffix } : {}),
      };
    });
    const invalid = configurations.find(
      (configuration) =>
        !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(configuration.queueArn) ||
        configuration.events.length === 0 ||
        !configuration.events.every((event) =>
          /^s3:(ObjectCreated|ObjectRemoved):(\*|[A-Za-z]+)$/.test(event),
        ),
    );
    if (invalid !== undefined) {
      return s3Error(
        400,
        'InvalidArgument',
        `Invalid queue configuration "${invalid.id}": expected a queue ARN and s3:ObjectCreated:* / s3:ObjectRemoved:* events (received ${JSON.stringify(invalid)})`,
      );
    }
    // Like S3, prove each destination works by sending it an s3:TestEvent.
    for (const configuration of configurations) {
      const test = {
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: new Date().toISOString(),
        Bucket: bucket,
        RequestId: requestId(),
        HostId: 'local',
      };
      try {
        await this.sendToQueue(configuration.queueArn, JSON.stringify(test));
      } catch {
        return s3Error(
          400,
          'InvalidArgument',
          'Unable to validate the following destination configurations',
          {
            ArgumentName: configuration.queueArn,
          },
        );
      }
    }
    this.options.store
      .prepare('INSERT OR REPLACE INTO s3_notifications (bucket, configuration) VALUES (?, ?)')
      .run(bucket, JSON.stringify(configurations));
    return reply(200, '', 'application/xml');
  }

  private async getNotification(bucket: string): Promise<EdgeResponse> {
    if (!(await this.bucketExists(bucket))) {
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    const body = this.notificationConfiguration(bucket)
      .map((configuration) => {
        const rules = [
          ...(configuration.prefix !== undefined ? [['prefix', configuration.prefix]] : []),
          ...(configuration.suffix !== undefined ? [['suffix', configuration.suffix]] : []),
        ]
          .map(
            ([name, value]) =>
              `<FilterRule><Name>${name}</Name><Value>${xmlEscape(value ?? '')}</Value></FilterRule>`,
          )
          .join('');
        return `<QueueConfiguration><Id>${xmlEscape(configuration.id)}</Id><Queue>${configuration.queueArn}</Queue>${configuration.events
          .map((event) => `<Event>${event}</Event>`)
          .join('')}${rules === '' ? '' : `<Filter><S3Key>${rules}</S3Key></Filter>`}</QueueConfiguration>`;
      })
      .join('');
    return reply(
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</NotificationConfiguration>`,
      'application/xml',
    );
  }

  private async bucketExists(bucket: string): Promise<boolean> {
    const response = await forward(this.options.fauxqsEndpoint, {
      method: 'HEAD',
      url: new URL(`http://fauxqs/${encodeURIComponent(bucket)}`),
      headers: {},
      body: Buffer.alloc(0),
      remoteAddress: '127.0.0.1',
    });
    return response.status === 200;
  }

  // --- tagging -------------------------------------------------------------------------------

  private readTags(bucket: string, key: string): Record<string, string> | undefined {
    const row = this.options.store
      .prepare('SELECT tags FROM s3_tags WHERE bucket = ? AND key = ?')
      .get(bucket, key) as { tags: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.tags) as Record<string, string>);
  }

  private writeTags(bucket: string, key: string, tags: Record<string, string> | undefined): void {
    if (tags === undefined || Object.keys(tags).length === 0) {
      this.options.store.prepare('DELETE FROM s3_tags WHERE bucket = ? AND key = ?').run(bucket, key);
    } else {
      this.options.store
        .prepare('INSERT OR REPLACE INTO s3_tags (bucket, key, tags) VALUES (?, ?, ?)')
        .run(bucket, key, JSON.stringify(tags));
    }
  }

  private async objectExists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  private tagging(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    return this.locks.run([`${bucket}/${key}`], async () => {
      if (!(await this.objectExists(bucket, key))) {
        return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      }
      if (request.method === 'GET') {
        const tags = this.readTags(bucket, key) ?? {};
        const set = Object.entries(tags)
          .map(
            ([name, value]) => `<Tag><Key>${xmlEscape(name)}</Key><Value>${xmlEscape(value)}</Value></Tag>`,
          )
          .join('');
        return reply(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${set}</TagSet></Tagging>`,
          'application/xml',
        );
      }
      if (request.method === 'DELETE') {
        this.writeTags(bucket, key, undefined);
        return { status: 204, headers: {}, body: Buffer.alloc(0) };
      }
      if (request.method === 'PUT') {
        const parsed = xml.parse(request.body.toString('utf8')) as {
          Tagging?: { TagSet?: { Tag?: { Key?: string; Value?: string }[] } };
        };
        const tags = parsed.Tagging?.TagSet?.Tag ?? [];
        if (tags.length > 10)
          return s3Error(
            400,
            'BadRequest',
            `Object tags cannot be greater than 10 (received ${tags.length})`,
          );
        this.writeTags(bucket, key, Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])));
        return reply(200, '', 'application/xml');
      }
      return s3Error(405, 'MethodNotAllowed', `${request.method} is not allowed on ?tagging`);
    });
  }

  /** GetObject and HeadObject answer with x-amz-tagging-count, as S3 does for tagged objects. */
  private async withTagCount(bucket: string, key: string, request: EdgeRequest): Promise<EdgeResponse> {
    const response = await this.proxy(request);
    if (response.status === 200 || response.status === 206) {
      const tags = this.readTags(bucket, key);
      const count = Object.keys(tags ?? {}).length;
      // S3 leaves the header out for an object with no tags.
      if (count > 0) response.headers['x-amz-tagging-count'] = String(count);
    }
    return response;
  }
}
