import type { Store } from '../../store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue, reply, xmlEscape } from '../http';
import type { S3Backend } from './backend';
import { s3Xml } from './xml';

/**
 * Object tagging, which fauxqs lacks: the tag set of each object (SQLite),
 * GetObjectTagging / PutObjectTagging / DeleteObjectTagging, the
 * `x-amz-tagging` header of PutObject, CopyObject and CreateMultipartUpload
 * (staged until the upload completes), and `x-amz-tagging-count` on GetObject
 * and HeadObject.
 */

/** Tag key to value. */
export type TagSet = Record<string, string>;

/** The tagging operations this module answers. */
export type TaggingOperation =
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'UnsupportedObjectTagging';

/** `k1=v1&k2=v2`, as the x-amz-tagging header carries tags. */
export function parseTaggingHeader(value: string | string[] | undefined): TagSet | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(new URLSearchParams(Array.isArray(value) ? value.join('&') : value));
}

export class ObjectTags {
  constructor(
    private readonly store: Store,
    private readonly backend: S3Backend,
  ) {}

  read(bucket: string, key: string): TagSet | undefined {
    const row = this.store
      .prepare('SELECT tags FROM s3_tags WHERE bucket = ? AND key = ?')
      .get(bucket, key) as { tags: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.tags) as TagSet);
  }

  /** Replaces an object's tag set; none (or an empty one) removes it. */
  write(bucket: string, key: string, tags: TagSet | undefined): void {
    if (tags === undefined || Object.keys(tags).length === 0) {
      this.store.prepare('DELETE FROM s3_tags WHERE bucket = ? AND key = ?').run(bucket, key);
    } else {
      this.store
        .prepare('INSERT OR REPLACE INTO s3_tags (bucket, key, tags) VALUES (?, ?, ?)')
        .run(bucket, key, JSON.stringify(tags));
    }
  }

  /**
   * The tags a PutObject or CopyObject gives its object: those of its
   * x-amz-tagging header; for a copy, the source's unless the directive is REPLACE.
   */
  ofWrite(request: EdgeRequest): TagSet | undefined {
    const copySource = headerValue(request, 'x-amz-copy-source');
    if (copySource !== undefined && headerValue(request, 'x-amz-tagging-directive') !== 'REPLACE') {
      const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0] ?? '');
      const slash = source.indexOf('/');
      return this.read(source.slice(0, slash), source.slice(slash + 1));
    }
    return parseTaggingHeader(request.headers['x-amz-tagging']);
  }

  /** Keeps the x-amz-tagging of a CreateMultipartUpload until the upload completes. */
  stageUpload(request: EdgeRequest, response: EdgeResponse): void {
    const tags = parseTaggingHeader(request.headers['x-amz-tagging']);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(response.body.toString('utf8'))?.[1];
    if (response.status === 200 && tags !== undefined && uploadId !== undefined) {
      this.store
        .prepare('INSERT OR REPLACE INTO s3_upload_tags (upload_id, tags) VALUES (?, ?)')
        .run(uploadId, JSON.stringify(tags));
    }
  }

  /** The tags staged for an upload, forgotten once read. */
  takeStaged(uploadId: string): TagSet | undefined {
    const row = this.store.prepare('SELECT tags FROM s3_upload_tags WHERE upload_id = ?').get(uploadId) as
      | { tags: string }
      | undefined;
    this.store.prepare('DELETE FROM s3_upload_tags WHERE upload_id = ?').run(uploadId);
    return row === undefined ? undefined : (JSON.parse(row.tags) as TagSet);
  }

  /** Answers a `?tagging` request on an object (the caller holds the key's lock). */
  async handle(
    operation: TaggingOperation,
    bucket: string,
    key: string,
    request: EdgeRequest,
  ): Promise<EdgeResponse> {
    if (!(await this.backend.objectExists(bucket, key))) {
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    }
    switch (operation) {
      case 'GetObjectTagging': {
        const set = Object.entries(this.read(bucket, key) ?? {})
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
      case 'DeleteObjectTagging':
        this.write(bucket, key, undefined);
        return { status: 204, headers: {}, body: Buffer.alloc(0) };
      case 'PutObjectTagging': {
        const parsed = s3Xml.parse(request.body.toString('utf8')) as {
          Tagging?: { TagSet?: { Tag?: { Key?: string; Value?: string }[] } };
        };
        const tags = parsed.Tagging?.TagSet?.Tag ?? [];
        if (tags.length > 10)
          return s3Error(
            400,
            'BadRequest',
            `Object tags cannot be greater than 10 (received ${tags.length})`,
          );
        this.write(bucket, key, Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])));
        return reply(200, '', 'application/xml');
      }
      case 'UnsupportedObjectTagging':
        return s3Error(405, 'MethodNotAllowed', `${request.method} is not allowed on ?tagging`);
    }
  }

  /** GetObject and HeadObject answer with x-amz-tagging-count, as S3 does for tagged objects. */
  withCount(bucket: string, key: string, response: EdgeResponse): EdgeResponse {
    if (response.status === 200 || response.status === 206) {
      const count = Object.keys(this.read(bucket, key) ?? {}).length;
      // S3 leaves the header out for an object with no tags.
      if (count > 0) response.headers['x-amz-tagging-count'] = String(count);
    }
    return response;
  }
}
