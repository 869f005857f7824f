import { createHash } from 'node:crypto';
import { checksumElement, checksumHeader, checksumOf, type StoredChecksum } from '../../s3/checksums';
import type { Bucket, ObjectAttributes, ObjectVersion } from '../../s3/store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue, reply } from '../http';
import {
  announceCreated,
  announceRemoved,
  bucketOr404,
  isResponse,
  keyTooLong,
  nextVersionId,
  type S3Context,
} from './context';
import { checkedBody } from './integrity';
import { ACCOUNT_ID } from './notifications';
import {
  ARCHIVED,
  checkTags,
  contentOf,
  encryptionHeaders,
  objectHeaders,
  parseTaggingQuery,
  placementOf,
  readCondition,
  responseOverrides,
  versionHeader,
  writeCondition,
} from './object-headers';
import { document, element, elementTexts } from './xml';

/**
 * Objects and their versions: PutObject, GetObject, HeadObject, DeleteObject,
 * DeleteObjects, GetObjectAttributes, GetObjectAcl, as the S3 API Reference
 * describes each; with versioning
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):
 * a version id per write when enabled, `null` when suspended, delete markers.
 */

/** The body and attributes of a new version, before it gets its id. */
export interface NewObject {
  body: Buffer | Buffer[];
  size: number;
  eTag: string;
  attributes: ObjectAttributes;
  parts?: ObjectVersion['parts'];
}

/** Stores a new current version of a key (the caller holds the key's lock). */
export function storeVersion(
  context: S3Context,
  bucket: Bucket,
  key: string,
  object: NewObject,
): ObjectVersion {
  const file = object.size === 0 ? undefined : context.store.writeBody(object.body);
  return context.store.put({
    bucket: bucket.name,
    key,
    versionId: nextVersionId(bucket),
    deleteMarker: false,
    lastModified: new Date(),
    size: object.size,
    eTag: object.eTag,
    file,
    parts: object.parts,
    ...object.attributes,
  });
}

/** A single-request body's checksum: the one sent, else CRC64NVME, which S3 adds to every new object. */
export function bodyChecksum(
  given: { algorithm: StoredChecksum['algorithm']; value: string } | undefined,
  body: Buffer,
): StoredChecksum {
  return given === undefined
    ? { algorithm: 'CRC64NVME', value: checksumOf('CRC64NVME', body), type: 'FULL_OBJECT' }
    : { ...given, type: 'FULL_OBJECT' };
}

export function md5ETag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** The headers that answer a write: ETag, version, checksum, encryption. */
export function writtenHeaders(
  bucket: Bucket,
  version: ObjectVersion,
  withChecksum: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    etag: version.eTag,
    ...versionHeader(bucket, version.versionId),
    ...encryptionHeaders(version.encryption),
  };
  if (withChecksum && version.checksum !== undefined) {
    headers[checksumHeader(version.checksum.algorithm)] = version.checksum.value;
    headers['x-amz-checksum-type'] = version.checksum.type;
  }
  return headers;
}

/** The tags of a write's x-amz-tagging header, checked. */
/**
 * What every request that writes a new object (PutObject, CreateMultipartUpload) checks first, in
 * S3's order: the bucket exists, the key fits, the storage class and encryption asked for, the
 * `x-amz-tagging` header; the answer is the first error, or what the write needs.
 */
export function newObjectTarget(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
):
  | {
      bucket: Bucket;
      placement: Pick<ObjectAttributes, 'storageClass' | 'encryption'>;
      tags: [string, string][];
    }
  | EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const tooLong = keyTooLong(key);
  if (tooLong) return tooLong;
  const placement = placementOf(request);
  if (isResponse(placement)) return placement;
  const tags = taggingHeader(request);
  if (!Array.isArray(tags)) return tags;
  return { bucket, placement, tags };
}

export function taggingHeader(request: EdgeRequest): [string, string][] | EdgeResponse {
  const header = headerValue(request, 'x-amz-tagging');
  if (header === undefined) return [];
  const tags = parseTaggingQuery(header);
  return checkTags(tags) ?? tags;
}

export async function putObject(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const target = newObjectTarget(context, bucketName, key, request);
  if (isResponse(target)) return target;
  const { bucket, placement, tags } = target;
  const checked = checkedBody(request);
  if (isResponse(checked)) return checked;
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const refused = writeCondition(request, context.store.current(bucketName, key), key);
    if (refused) return refused;
    const version = storeVersion(context, bucket, key, {
      body: checked.body,
      size: checked.body.length,
      eTag: md5ETag(checked.body),
      attributes: {
        ...contentOf(request, checked.contentEncoding),
        ...placement,
        checksum: bodyChecksum(checked.checksum, checked.body),
        tags,
      },
    });
    await announceCreated(context, bucket, 'ObjectCreated:Put', request, version);
    return { status: 200, headers: writtenHeaders(bucket, version, true), body: Buffer.alloc(0) };
  });
}

/** The version a request names (`versionId`), or the current one; S3's errors when there is none. */
export function versionOf(
  context: S3Context,
  bucket: Bucket,
  key: string,
  versionId: string | null,
): ObjectVersion | EdgeResponse {
  if (versionId !== null) {
    const version = context.store.version(bucket.name, key, versionId);
    if (version !== undefined) return version;
    if (versionId !== 'null' && !/^[A-Za-z0-9._]{32}$/.test(versionId))
      return s3Error(400, 'InvalidArgument', 'Invalid version id specified', {
        ArgumentName: 'versionId',
        ArgumentValue: versionId,
      });
    return s3Error(404, 'NoSuchVersion', 'The specified version does not exist.', {
      Key: key,
      VersionId: versionId,
    });
  }
  const current = context.store.current(bucket.name, key);
  if (current === undefined)
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
  return current;
}

/** A delete marker read: 404 (current) or 405 (named by version id), with the marker's headers. */
function deleteMarkerAnswer(bucket: Bucket, marker: ObjectVersion, named: boolean): EdgeResponse {
  const response = named
    ? s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        Method: 'GET',
        ResourceType: 'DeleteMarker',
      })
    : s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: marker.key });
  response.headers['x-amz-delete-marker'] = 'true';
  Object.assign(response.headers, versionHeader(bucket, marker.versionId));
  if (named) response.headers['last-modified'] = marker.lastModified.toUTCString();
  return response;
}

type ByteRange = { start: number; end: number };

/** A `Range: bytes=...` header against a size: the range, `all` (absent or not understood), or unsatisfiable. */
function byteRange(value: string | undefined, size: number): ByteRange | 'all' | 'unsatisfiable' {
  if (value === undefined) return 'all';
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return 'all';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    // A suffix range is satisfiable whatever the size (RFC 7233 2.1); of an empty object it is all of it.
    if (size === 0) return 'all';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || (match[2] !== '' && Number(match[2]) < start)) return 'unsatisfiable';
  return { start, end };
}

/** GetObject and HeadObject, with versionId, Range, partNumber, conditions and response-* overrides. */
export function getObject(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const versionId = request.url.searchParams.get('versionId');
  const version = versionOf(context, bucket, key, versionId);
  if (isResponse(version)) return version;
  if (version.deleteMarker) return deleteMarkerAnswer(bucket, version, versionId !== null);
  const head = request.method === 'HEAD';
  const condition = readCondition(request, version);
  if (condition === 'precondition-failed')
    return s3Error(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: headerValue(request, 'if-match') !== undefined ? 'If-Match' : 'If-Unmodified-Since',
      },
    );
  if (condition === 'not-modified')
    return {
      status: 304,
      headers: {
        etag: version.eTag,
        'last-modified': version.lastModified.toUTCString(),
        ...versionHeader(bucket, version.versionId),
      },
      body: Buffer.alloc(0),
    };
  if (!head && ARCHIVED.has(version.storageClass))
    return s3Error(403, 'InvalidObjectState', "The operation is not valid for the object's storage class", {
      StorageClass: version.storageClass,
    });
  const partParam = request.url.searchParams.get('partNumber');
  let range: ByteRange | 'all' | 'unsatisfiable' = byteRange(headerValue(request, 'range'), version.size);
  let partsCount: number | undefined;
  if (partParam !== null) {
    const partNumber = Number(partParam);
    const parts = version.parts ?? [{ partNumber: 1, size: version.size, eTag: version.eTag }];
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > parts.length)
      return s3Error(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable', {
        PartNumberRequested: partParam,
      });
    const start = parts.slice(0, partNumber - 1).reduce((sum, part) => sum + part.size, 0);
    range = { start, end: start + (parts[partNumber - 1]?.size ?? 0) - 1 };
    if (version.parts !== undefined) partsCount = version.parts.length;
  }
  if (range === 'unsatisfiable') {
    const response = s3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: headerValue(request, 'range') ?? '',
      ActualObjectSize: String(version.size),
    });
    response.headers['content-range'] = `bytes */${version.size}`;
    return response;
  }
  const headers = {
    ...objectHeaders(bucket, version, {
      checksumMode:
        range === 'all' && (headerValue(request, 'x-amz-checksum-mode') ?? '').toUpperCase() === 'ENABLED',
      ...(partsCount === undefined ? {} : { partsCount }),
    }),
    ...(head ? {} : responseOverrides(request)),
  };
  if (range === 'all') {
    headers['content-length'] = String(version.size);
    return { status: 200, headers, body: head ? Buffer.alloc(0) : context.store.readBody(version) };
  }
  headers['content-range'] = `bytes ${range.start}-${range.end}/${version.size}`;
  headers['content-length'] = String(range.end - range.start + 1);
  return {
    status: 206,
    headers,
    body: head ? Buffer.alloc(0) : context.store.readBody(version, range.start, range.end),
  };
}

interface Removal {
  key: string;
  versionId: string | undefined;
  /** The version id of the delete marker created or removed. */
  deleteMarker: boolean;
  markerVersionId?: string;
}

/**
 * Deletes a key or one version of it, as S3 does in each versioning state
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html);
 * the caller holds the key's lock. Announced here.
 */
async function removeObject(
  context: S3Context,
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
  request: EdgeRequest,
): Promise<Removal | EdgeResponse> {
  if (versionId !== undefined) {
    if (versionId !== 'null' && !/^[A-Za-z0-9._]{32}$/.test(versionId))
      return s3Error(400, 'InvalidArgument', 'Invalid version id specified', {
        ArgumentName: 'versionId',
        ArgumentValue: versionId,
      });
    const removed = context.store.removeVersion(bucket.name, key, versionId);
    // Deleting a version that does not exist succeeds, and is not announced.
    if (removed === undefined) return { key, versionId, deleteMarker: false };
    await announceRemoved(context, bucket, key, request, { markerCreated: false, versionId });
    return {
      key,
      versionId,
      deleteMarker: removed.deleteMarker,
      ...(removed.deleteMarker ? { markerVersionId: versionId } : {}),
    };
  }
  if (bucket.versioning === undefined) {
    context.store.removeVersion(bucket.name, key, 'null');
    // S3 announces a delete even when the key did not exist.
    await announceRemoved(context, bucket, key, request, { markerCreated: false, versionId: undefined });
    return { key, versionId: undefined, deleteMarker: false };
  }
  const marker = context.store.put({
    bucket: bucket.name,
    key,
    versionId: nextVersionId(bucket),
    deleteMarker: true,
    lastModified: new Date(),
    size: 0,
    eTag: '',
    file: undefined,
    parts: undefined,
    headers: {},
    metadata: {},
    storageClass: 'STANDARD',
    encryption: { algorithm: 'AES256' },
    checksum: undefined,
    tags: [],
  });
  await announceRemoved(context, bucket, key, request, { markerCreated: true, versionId: marker.versionId });
  return { key, versionId: undefined, deleteMarker: true, markerVersionId: marker.versionId };
}

export async function deleteObject(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const versionId = request.url.searchParams.get('versionId') ?? undefined;
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const ifMatch = headerValue(request, 'if-match');
    if (ifMatch !== undefined) {
      const current = context.store.current(bucketName, key);
      if (current === undefined || current.deleteMarker)
        return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      if (ifMatch.replace(/"/g, '') !== '*' && ifMatch.replace(/"/g, '') !== current.eTag.replace(/"/g, ''))
        return s3Error(
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          { Condition: 'If-Match' },
        );
    }
    const removal = await removeObject(context, bucket, key, versionId, request);
    if (isResponse(removal)) return removal;
    const headers: Record<string, string> = {};
    if (removal.deleteMarker) headers['x-amz-delete-marker'] = 'true';
    const answered = removal.markerVersionId ?? removal.versionId;
    if (answered !== undefined) headers['x-amz-version-id'] = answered;
    return { status: 204, headers, body: Buffer.alloc(0) };
  });
}

/**
 * DeleteObjects (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html):
 * at most 1,000 keys, each taken verbatim from the XML (whitespace is part of
 * a key, entities decoded once); every deletion is announced, quiet or not.
 */
export async function deleteObjects(
  context: S3Context,
  bucketName: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const checked = checkedBody(request);
  if (isResponse(checked)) return checked;
  const xml = checked.body.toString('utf8');
  if (!/<Delete[\s>]/.test(xml)) return malformedXml();
  const objects = [...xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((match) => {
    const inner = match[1] ?? '';
    return { key: elementTexts(inner, 'Key')[0], versionId: elementTexts(inner, 'VersionId')[0] };
  });
  if (objects.length === 0 || objects.length > 1000 || objects.some((object) => object.key === undefined))
    return malformedXml();
  const quiet = (elementTexts(xml, 'Quiet')[0] ?? '').trim().toLowerCase() === 'true';
  const results: string[] = [];
  for (const object of objects) {
    const key = object.key ?? '';
    const removal = await context.locks.run([`${bucketName}/${key}`], () =>
      removeObject(context, bucket, key, object.versionId, request),
    );
    if (isResponse(removal)) {
      const code = /<Code>([^<]*)<\/Code>/.exec(removal.body.toString('utf8'))?.[1] ?? 'InternalError';
      const message = /<Message>([^<]*)<\/Message>/.exec(removal.body.toString('utf8'))?.[1] ?? '';
      results.push(
        `<Error>${element('Key', key)}${element('VersionId', object.versionId)}<Code>${code}</Code><Message>${message}</Message></Error>`,
      );
      continue;
    }
    if (quiet) continue;
    results.push(
      `<Deleted>${element('Key', key)}${element('VersionId', removal.versionId)}${removal.deleteMarker ? '<DeleteMarker>true</DeleteMarker>' : ''}${element('DeleteMarkerVersionId', removal.deleteMarker ? removal.markerVersionId : undefined)}</Deleted>`,
    );
  }
  return reply(200, document('DeleteResult', results.join('')), 'application/xml');
}

function malformedXml(): EdgeResponse {
  return s3Error(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );
}

/** GetObjectAttributes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html). */
export function getObjectAttributes(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const version = versionOf(context, bucket, key, request.url.searchParams.get('versionId'));
  if (isResponse(version)) return version;
  if (version.deleteMarker)
    return deleteMarkerAnswer(bucket, version, request.url.searchParams.has('versionId'));
  const wanted = new Set(
    (headerValue(request, 'x-amz-object-attributes') ?? '').split(',').map((name) => name.trim()),
  );
  let inner = '';
  if (wanted.has('ETag')) inner += element('ETag', version.eTag.replace(/"/g, ''));
  if (wanted.has('Checksum') && version.checksum !== undefined)
    inner += `<Checksum>${element(checksumElement(version.checksum.algorithm), version.checksum.value)}${element('ChecksumType', version.checksum.type)}</Checksum>`;
  if (wanted.has('ObjectParts') && version.parts !== undefined)
    inner += `<ObjectParts>${element('TotalPartsCount', version.parts.length)}${element('PartsCount', version.parts.length)}<IsTruncated>false</IsTruncated>${element('MaxParts', 1000)}${version.parts
      .map(
        (part) =>
          `<Part>${element('PartNumber', part.partNumber)}${element('Size', part.size)}${version.checksum?.type === 'COMPOSITE' && part.checksum ? element(checksumElement(version.checksum.algorithm), part.checksum) : ''}</Part>`,
      )
      .join('')}</ObjectParts>`;
  if (wanted.has('StorageClass')) inner += element('StorageClass', version.storageClass);
  if (wanted.has('ObjectSize')) inner += element('ObjectSize', version.size);
  return reply(200, document('GetObjectAttributesResponse', inner), 'application/xml', {
    'last-modified': version.lastModified.toUTCString(),
    ...versionHeader(bucket, version.versionId),
  });
}

/** The owner's FULL_CONTROL grant: the ACL every object and bucket has with S3 Object Ownership's default (ACLs disabled). */
export function ownerAcl(): string {
  const owner = `<Owner><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;
  return document(
    'AccessControlPolicy',
    `${owner}<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>`,
  );
}

export function getObjectAcl(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const version = versionOf(context, bucket, key, request.url.searchParams.get('versionId'));
  if (isResponse(version)) return version;
  if (version.deleteMarker)
    return deleteMarkerAnswer(bucket, version, request.url.searchParams.has('versionId'));
  return reply(200, ownerAcl(), 'application/xml', versionHeader(bucket, version.versionId));
}
