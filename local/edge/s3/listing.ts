import { encodeS3Key } from '../../../functions/core/keys';
import type { ObjectVersion } from '../../s3/store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, reply } from '../http';
import { bucketOr404, isResponse, type S3Context } from './context';
import { ACCOUNT_ID } from './notifications';
import { document, element } from './xml';

/**
 * ListObjects, ListObjectsV2 and ListObjectVersions
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
 * API_ListObjects.html, API_ListObjectVersions.html): keys in UTF-8 binary
 * order, common prefixes rolled up by the delimiter (each counts once against
 * max-keys, at most 1,000), paging that continues exactly after the last
 * entry returned, and `encoding-type=url`, which encodes every key and prefix
 * in the answer (botocore always asks for it).
 */

type Entry = { kind: 'object'; version: ObjectVersion } | { kind: 'prefix'; prefix: string };

interface Listed {
  entries: Entry[];
  truncated: boolean;
}

/** Where a listing resumes: after a key (and a version of it), or after every key under a common prefix. */
type Cursor = { key: string; seq?: number } | undefined;

function list(
  context: S3Context,
  bucket: string,
  options: { prefix: string; delimiter: string; cursor: Cursor; maxKeys: number; versions: boolean },
): Listed {
  // S3 answers max-keys=0 with nothing, not truncated.
  if (options.maxKeys === 0) return { entries: [], truncated: false };
  const entries: Entry[] = [];
  let cursor = options.cursor;
  let lastPrefix: string | undefined;
  // One more than asked, to know whether the listing is truncated.
  while (entries.length <= options.maxKeys) {
    const rows = context.store.page(bucket, {
      prefix: options.prefix,
      ...(cursor === undefined ? {} : { after: cursor }),
      limit: 1000,
      currentOnly: !options.versions,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      cursor = { key: row.key, seq: options.versions ? row.seq : undefined };
      const rest = row.key.slice(options.prefix.length);
      const at = options.delimiter === '' ? -1 : rest.indexOf(options.delimiter);
      if (at >= 0) {
        const prefix = options.prefix + rest.slice(0, at + options.delimiter.length);
        if (prefix === lastPrefix) continue;
        lastPrefix = prefix;
        entries.push({ kind: 'prefix', prefix });
        // Skip the rest of the keys under this prefix.
        cursor = { key: `${prefix}\u{10FFFF}` };
        break;
      }
      entries.push({ kind: 'object', version: row });
      if (entries.length > options.maxKeys) break;
    }
  }
  const truncated = entries.length > options.maxKeys;
  return { entries: entries.slice(0, options.maxKeys), truncated };
}

function maxKeysOf(request: EdgeRequest): number | EdgeResponse {
  const raw = request.url.searchParams.get('max-keys');
  if (raw === null) return 1000;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value))
    return s3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: raw,
    });
  return Math.min(value, 1000);
}

/** A cursor that resumes after `marker`; a marker that is itself a common prefix resumes after everything under it. */
function cursorAfter(marker: string, prefix: string, delimiter: string): Cursor {
  if (marker === '') return undefined;
  if (delimiter !== '' && marker.startsWith(prefix) && marker.endsWith(delimiter)) {
    const rest = marker.slice(prefix.length);
    if (rest.indexOf(delimiter) === rest.length - delimiter.length) return { key: `${marker}\u{10FFFF}` };
  }
  return { key: marker };
}

function owner(): string {
  return `<Owner><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;
}

function checksumElements(version: ObjectVersion): string {
  return version.checksum === undefined
    ? ''
    : `${element('ChecksumAlgorithm', version.checksum.algorithm)}${element('ChecksumType', version.checksum.type)}`;
}

interface Params {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (text: string) => string;
  encodingType: string | undefined;
}

function params(request: EdgeRequest): Params | EdgeResponse {
  const query = request.url.searchParams;
  const maxKeys = maxKeysOf(request);
  if (typeof maxKeys !== 'number') return maxKeys;
  const encodingType = query.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url')
    return s3Error(400, 'InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: encodingType,
    });
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    maxKeys,
    encodingType,
    encode: encodingType === 'url' ? encodeS3Key : (text) => text,
  };
}

function commonPrefixes(entries: Entry[], encode: (text: string) => string): string {
  return entries
    .flatMap((entry) =>
      entry.kind === 'prefix'
        ? [`<CommonPrefixes>${element('Prefix', encode(entry.prefix))}</CommonPrefixes>`]
        : [],
    )
    .join('');
}

function contents(entries: Entry[], encode: (text: string) => string, withOwner: boolean): string {
  return entries
    .flatMap((entry) =>
      entry.kind === 'object'
        ? [
            `<Contents>${element('Key', encode(entry.version.key))}${element('LastModified', entry.version.lastModified.toISOString())}${element('ETag', entry.version.eTag)}${checksumElements(entry.version)}${element('Size', entry.version.size)}${withOwner ? owner() : ''}${element('StorageClass', entry.version.storageClass)}</Contents>`,
          ]
        : [],
    )
    .join('');
}

/** The key of the last entry (a common prefix counts as its prefix). */
function lastKey(entries: Entry[]): string | undefined {
  const last = entries.at(-1);
  return last === undefined ? undefined : last.kind === 'prefix' ? last.prefix : last.version.key;
}

export function listObjects(context: S3Context, bucketName: string, request: EdgeRequest): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const p = params(request);
  if (isResponse(p)) return p;
  const marker = request.url.searchParams.get('marker') ?? '';
  const listed = list(context, bucketName, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    cursor: cursorAfter(marker, p.prefix, p.delimiter),
    maxKeys: p.maxKeys,
    versions: false,
  });
  const next = listed.truncated && p.delimiter !== '' ? lastKey(listed.entries) : undefined;
  const inner = `${element('Name', bucketName)}${element('Prefix', p.encode(p.prefix))}${element('Marker', p.encode(marker))}${element('MaxKeys', p.maxKeys)}${p.delimiter === '' ? '' : element('Delimiter', p.encode(p.delimiter))}${element('IsTruncated', listed.truncated)}${next === undefined ? '' : element('NextMarker', p.encode(next))}${contents(listed.entries, p.encode, true)}${commonPrefixes(listed.entries, p.encode)}${element('EncodingType', p.encodingType)}`;
  return reply(200, document('ListBucketResult', inner), 'application/xml');
}

function token(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function listObjectsV2(context: S3Context, bucketName: string, request: EdgeRequest): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const p = params(request);
  if (isResponse(p)) return p;
  const query = request.url.searchParams;
  const continuation = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  let cursor: Cursor;
  if (continuation !== undefined) {
    try {
      cursor = JSON.parse(Buffer.from(continuation, 'base64url').toString('utf8')) as Cursor;
      if (typeof cursor?.key !== 'string') throw new Error('no key');
    } catch {
      return s3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect', {
        ArgumentName: 'continuation-token',
      });
    }
  } else if (startAfter !== undefined) cursor = { key: startAfter };
  const listed = list(context, bucketName, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    cursor,
    maxKeys: p.maxKeys,
    versions: false,
  });
  const last = listed.entries.at(-1);
  const nextCursor: Cursor =
    last === undefined
      ? undefined
      : last.kind === 'prefix'
        ? { key: `${last.prefix}\u{10FFFF}` }
        : { key: last.version.key };
  const inner = `${element('Name', bucketName)}${element('Prefix', p.encode(p.prefix))}${element('MaxKeys', p.maxKeys)}${p.delimiter === '' ? '' : element('Delimiter', p.encode(p.delimiter))}${element('IsTruncated', listed.truncated)}${element('KeyCount', listed.entries.length)}${element('ContinuationToken', continuation)}${listed.truncated ? element('NextContinuationToken', token(nextCursor)) : ''}${startAfter === undefined ? '' : element('StartAfter', p.encode(startAfter))}${contents(listed.entries, p.encode, query.get('fetch-owner') === 'true')}${commonPrefixes(listed.entries, p.encode)}${element('EncodingType', p.encodingType)}`;
  return reply(200, document('ListBucketResult', inner), 'application/xml');
}

/** ListObjectVersions: every version and delete marker, newest first within a key; `null` versions in an unversioned bucket. */
export function listObjectVersions(
  context: S3Context,
  bucketName: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const p = params(request);
  if (isResponse(p)) return p;
  const query = request.url.searchParams;
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '')
    return s3Error(400, 'InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  let cursor = cursorAfter(keyMarker, p.prefix, p.delimiter);
  if (versionIdMarker !== '' && cursor !== undefined) {
    const marked = context.store.version(bucketName, keyMarker, versionIdMarker);
    if (marked === undefined)
      return s3Error(400, 'InvalidArgument', 'Invalid version id specified', {
        ArgumentName: 'version-id-marker',
        ArgumentValue: versionIdMarker,
      });
    cursor = { key: keyMarker, seq: marked.seq };
  }
  const listed = list(context, bucketName, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    cursor,
    maxKeys: p.maxKeys,
    versions: true,
  });
  const last = listed.entries.at(-1);
  let next = '';
  if (listed.truncated && last !== undefined) {
    next =
      last.kind === 'prefix'
        ? element('NextKeyMarker', p.encode(last.prefix))
        : `${element('NextKeyMarker', p.encode(last.version.key))}${element('NextVersionIdMarker', last.version.versionId)}`;
  }
  const body = listed.entries
    .map((entry) => {
      if (entry.kind === 'prefix')
        return `<CommonPrefixes>${element('Prefix', p.encode(entry.prefix))}</CommonPrefixes>`;
      const v = entry.version;
      const common = `${element('Key', p.encode(v.key))}${element('VersionId', v.versionId)}${element('IsLatest', v.latest)}${element('LastModified', v.lastModified.toISOString())}`;
      return v.deleteMarker
        ? `<DeleteMarker>${owner()}${common}</DeleteMarker>`
        : `<Version>${element('ETag', v.eTag)}${checksumElements(v)}${element('Size', v.size)}${element('StorageClass', v.storageClass)}${common}${owner()}</Version>`;
    })
    .join('');
  const inner = `${element('Name', bucketName)}${element('Prefix', p.encode(p.prefix))}${element('KeyMarker', p.encode(keyMarker))}${element('VersionIdMarker', versionIdMarker)}${element('MaxKeys', p.maxKeys)}${p.delimiter === '' ? '' : element('Delimiter', p.encode(p.delimiter))}${element('IsTruncated', listed.truncated)}${next}${body}${element('EncodingType', p.encodingType)}`;
  return reply(200, document('ListVersionsResult', inner), 'application/xml');
}
