import { createHash } from 'node:crypto';
import { encodeS3Key } from '../../../functions/core/keys';
import {
  checksumElement,
  checksumHeader,
  checksumOf,
  compositeChecksum,
  isChecksumAlgorithm,
  type StoredChecksum,
} from '../../s3/checksums';
import type { Upload } from '../../s3/multipart';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue, reply } from '../http';
import { announceCreated, bucketOr404, isResponse, type S3Context } from './context';
import { copySource } from './copy';
import { checkedBody } from './integrity';
import { ACCOUNT_ID } from './notifications';
import { contentOf, encryptionHeaders, versionHeader, writeCondition } from './object-headers';
import { md5ETag, newObjectTarget, storeVersion } from './objects';
import { document, element, elementTexts } from './xml';

/**
 * Multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html):
 * CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload
 * (the ETag is the MD5 of the parts' MD5s, `-N`; parts in ascending order,
 * each but the last at least 5 MiB; a retried completion gets the same
 * answer), AbortMultipartUpload, ListParts and ListMultipartUploads.
 */

const MIN_PART_SIZE = 5 * 1024 * 1024;

function noSuchUpload(uploadId: string): EdgeResponse {
  return s3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    {
      UploadId: uploadId,
    },
  );
}

function upload(
  context: S3Context,
  bucket: string,
  key: string,
  request: EdgeRequest,
): Upload | EdgeResponse {
  const uploadId = request.url.searchParams.get('uploadId') ?? '';
  const found = context.uploads.get(uploadId);
  if (found === undefined || found.bucket !== bucket || found.key !== key) return noSuchUpload(uploadId);
  return found;
}

export function createMultipartUpload(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const target = newObjectTarget(context, bucketName, key, request);
  if (isResponse(target)) return target;
  const { placement, tags } = target;
  const asked = (headerValue(request, 'x-amz-checksum-algorithm') ?? '').toUpperCase();
  if (asked !== '' && !isChecksumAlgorithm(asked))
    return s3Error(400, 'InvalidRequest', `Checksum algorithm ${asked} is not supported.`);
  const type = headerValue(request, 'x-amz-checksum-type')?.toUpperCase();
  if (type !== undefined && type !== 'COMPOSITE' && type !== 'FULL_OBJECT')
    return s3Error(400, 'InvalidRequest', `Value for x-amz-checksum-type header is invalid.`);
  const algorithm = asked === '' ? undefined : (asked as StoredChecksum['algorithm']);
  if (algorithm === 'CRC64NVME' && type === 'COMPOSITE')
    return s3Error(
      400,
      'InvalidRequest',
      'The COMPOSITE checksum type is not supported for the CRC64NVME algorithm.',
    );
  if ((algorithm === 'SHA1' || algorithm === 'SHA256') && type === 'FULL_OBJECT')
    return s3Error(
      400,
      'InvalidRequest',
      `The FULL_OBJECT checksum type is not supported for the ${algorithm} algorithm.`,
    );
  const created = context.uploads.create({
    bucket: bucketName,
    key,
    attributes: { ...contentOf(request), ...placement, tags },
    checksumAlgorithm: algorithm,
    checksumType:
      algorithm === undefined
        ? undefined
        : ((type as StoredChecksum['type'] | undefined) ??
          (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE')),
  });
  const headers: Record<string, string> = { ...encryptionHeaders(placement.encryption) };
  if (algorithm !== undefined) {
    headers['x-amz-checksum-algorithm'] = algorithm;
    headers['x-amz-checksum-type'] = created.checksumType ?? 'COMPOSITE';
  }
  return reply(
    200,
    document(
      'InitiateMultipartUploadResult',
      `${element('Bucket', bucketName)}${element('Key', key)}${element('UploadId', created.uploadId)}`,
    ),
    'application/xml',
    headers,
  );
}

function partNumberOf(request: EdgeRequest): number | EdgeResponse {
  const raw = request.url.searchParams.get('partNumber') ?? '';
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= 1 && value <= 10000
    ? value
    : s3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
        ArgumentName: 'partNumber',
        ArgumentValue: raw,
      });
}

function storePart(
  context: S3Context,
  found: Upload,
  partNumber: number,
  body: Buffer,
  checksum: string | undefined,
): string {
  const eTag = md5ETag(body);
  const file = context.store.writeBody(body);
  const replaced = context.uploads.putPart(found.uploadId, {
    partNumber,
    size: body.length,
    eTag,
    checksum:
      checksum ??
      (found.checksumAlgorithm === undefined ? undefined : checksumOf(found.checksumAlgorithm, body)),
    file,
  });
  context.store.removeBody(replaced);
  return eTag;
}

export function uploadPart(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const partNumber = partNumberOf(request);
  if (typeof partNumber !== 'number') return partNumber;
  const found = upload(context, bucketName, key, request);
  if (isResponse(found)) return found;
  if (found.completed !== undefined) return noSuchUpload(found.uploadId);
  const checked = checkedBody(request);
  if (isResponse(checked)) return checked;
  if (
    checked.checksum !== undefined &&
    found.checksumAlgorithm !== undefined &&
    checked.checksum.algorithm !== found.checksumAlgorithm
  )
    return s3Error(
      400,
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${found.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${checked.checksum.algorithm.toLowerCase()}`,
    );
  const eTag = storePart(context, found, partNumber, checked.body, checked.checksum?.value);
  const headers: Record<string, string> = { etag: eTag, ...encryptionHeaders(found.attributes.encryption) };
  const part = context.uploads.parts(found.uploadId).find((candidate) => candidate.partNumber === partNumber);
  if (found.checksumAlgorithm !== undefined && part?.checksum !== undefined)
    headers[checksumHeader(found.checksumAlgorithm)] = part.checksum;
  return { status: 200, headers, body: Buffer.alloc(0) };
}

export function uploadPartCopy(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const partNumber = partNumberOf(request);
  if (typeof partNumber !== 'number') return partNumber;
  const found = upload(context, bucketName, key, request);
  if (isResponse(found)) return found;
  const source = copySource(context, request);
  if (isResponse(source)) return source;
  let body = context.store.readBody(source.version);
  const range = headerValue(request, 'x-amz-copy-source-range');
  if (range !== undefined) {
    const match = /^bytes=(\d+)-(\d+)$/.exec(range);
    const start = Number(match?.[1]);
    const end = Number(match?.[2]);
    if (match === null || end < start || end >= body.length)
      return s3Error(
        400,
        'InvalidArgument',
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        {
          ArgumentName: 'x-amz-copy-source-range',
          ArgumentValue: range,
        },
      );
    body = body.subarray(start, end + 1);
  }
  const eTag = storePart(context, found, partNumber, body, undefined);
  return reply(
    200,
    document(
      'CopyPartResult',
      `${element('ETag', eTag)}${element('LastModified', new Date().toISOString())}`,
    ),
    'application/xml',
    source.headers,
  );
}

function completeResult(
  bucket: string,
  key: string,
  eTag: string,
  checksum: StoredChecksum | undefined,
): string {
  return document(
    'CompleteMultipartUploadResult',
    `${element('Location', `/${bucket}/${key}`)}${element('Bucket', bucket)}${element('Key', key)}${element('ETag', eTag)}${checksum === undefined ? '' : `${element(checksumElement(checksum.algorithm), checksum.value)}${element('ChecksumType', checksum.type)}`}`,
  );
}

function invalidPart(message: string): EdgeResponse {
  return s3Error(400, 'InvalidPart', message);
}

export async function completeMultipartUpload(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const found = upload(context, bucketName, key, request);
  if (isResponse(found)) return found;
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const current = context.uploads.get(found.uploadId) ?? found;
    // A retried completion: the same answer again.
    if (current.completed !== undefined) {
      const done = current.completed;
      return reply(
        200,
        completeResult(
          bucketName,
          key,
          done.eTag,
          current.checksumAlgorithm === undefined || done.checksum === undefined
            ? undefined
            : {
                algorithm: current.checksumAlgorithm,
                value: done.checksum,
                type: current.checksumType ?? 'COMPOSITE',
              },
        ),
        'application/xml',
        { ...versionHeader(bucket, done.versionId), ...encryptionHeaders(current.attributes.encryption) },
      );
    }
    const xml = request.body.toString('utf8');
    const listed = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => ({
      partNumber: Number((elementTexts(match[1] ?? '', 'PartNumber')[0] ?? '').trim()),
      eTag: (elementTexts(match[1] ?? '', 'ETag')[0] ?? '').trim().replace(/"/g, ''),
    }));
    if (!/<CompleteMultipartUpload[\s>]/.test(xml) || listed.length === 0)
      return s3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    const stored = new Map(context.uploads.parts(current.uploadId).map((part) => [part.partNumber, part]));
    const chosen = [];
    for (const [index, entry] of listed.entries()) {
      if (index > 0 && entry.partNumber <= (listed[index - 1]?.partNumber ?? 0))
        return s3Error(
          400,
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      const part = stored.get(entry.partNumber);
      if (part === undefined || part.eTag.replace(/"/g, '') !== entry.eTag)
        return invalidPart(
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      chosen.push(part);
    }
    for (const part of chosen.slice(0, -1)) {
      if (part.size < MIN_PART_SIZE)
        return s3Error(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
          {
            ProposedSize: String(part.size),
            MinSizeAllowed: String(MIN_PART_SIZE),
            PartNumber: String(part.partNumber),
            ETag: part.eTag,
          },
        );
    }
    const refused = writeCondition(request, context.store.current(bucketName, key), key);
    if (refused) return refused;
    const bodies = chosen.map((part) => context.store.readFile(part.file));
    const whole = Buffer.concat(bodies);
    const eTag = `"${createHash('md5')
      .update(Buffer.concat(chosen.map((part) => Buffer.from(part.eTag.replace(/"/g, ''), 'hex'))))
      .digest('hex')}-${chosen.length}"`;
    let checksum: StoredChecksum;
    if (current.checksumAlgorithm !== undefined && current.checksumType === 'COMPOSITE')
      checksum = {
        algorithm: current.checksumAlgorithm,
        value: compositeChecksum(
          current.checksumAlgorithm,
          chosen.map(
            (part) =>
              part.checksum ??
              checksumOf(current.checksumAlgorithm ?? 'CRC32', context.store.readFile(part.file)),
          ),
        ),
        type: 'COMPOSITE',
      };
    else {
      const algorithm = current.checksumAlgorithm ?? 'CRC64NVME';
      checksum = { algorithm, value: checksumOf(algorithm, whole), type: 'FULL_OBJECT' };
    }
    const version = storeVersion(context, bucket, key, {
      body: whole,
      size: whole.length,
      eTag,
      attributes: { ...current.attributes, checksum },
      parts: chosen.map((part) => ({
        partNumber: part.partNumber,
        size: part.size,
        eTag: part.eTag,
        ...(part.checksum === undefined ? {} : { checksum: part.checksum }),
      })),
    });
    const files = context.uploads.complete(current.uploadId, {
      versionId: version.versionId,
      eTag,
      ...(current.checksumAlgorithm === undefined ? {} : { checksum: checksum.value }),
    });
    for (const file of files) context.store.removeBody(file);
    await announceCreated(context, bucket, 'ObjectCreated:CompleteMultipartUpload', request, version);
    return reply(
      200,
      completeResult(bucketName, key, eTag, current.checksumAlgorithm === undefined ? undefined : checksum),
      'application/xml',
      { ...versionHeader(bucket, version.versionId), ...encryptionHeaders(version.encryption) },
    );
  });
}

export function abortMultipartUpload(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const found = upload(context, bucketName, key, request);
  if (isResponse(found)) return found;
  if (found.completed !== undefined) return noSuchUpload(found.uploadId);
  for (const file of context.uploads.abort(found.uploadId)) context.store.removeBody(file);
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

const INITIATOR = `<Initiator><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Initiator><Owner><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;

export function listParts(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const found = upload(context, bucketName, key, request);
  if (isResponse(found)) return found;
  if (found.completed !== undefined) return noSuchUpload(found.uploadId);
  const query = request.url.searchParams;
  const marker = Number(query.get('part-number-marker') ?? '0') || 0;
  const maxParts = Math.min(Number(query.get('max-parts') ?? '1000') || 1000, 1000);
  const all = context.uploads.parts(found.uploadId).filter((part) => part.partNumber > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > maxParts;
  const parts = page
    .map(
      (part) =>
        `<Part>${element('PartNumber', part.partNumber)}${element('LastModified', part.lastModified.toISOString())}${element('ETag', part.eTag)}${element('Size', part.size)}${found.checksumAlgorithm !== undefined && part.checksum !== undefined ? element(checksumElement(found.checksumAlgorithm), part.checksum) : ''}</Part>`,
    )
    .join('');
  const inner = `${element('Bucket', bucketName)}${element('Key', key)}${element('UploadId', found.uploadId)}${INITIATOR}${element('StorageClass', found.attributes.storageClass)}${element('PartNumberMarker', marker)}${truncated ? element('NextPartNumberMarker', page.at(-1)?.partNumber) : ''}${element('MaxParts', maxParts)}${element('IsTruncated', truncated)}${element('ChecksumAlgorithm', found.checksumAlgorithm)}${element('ChecksumType', found.checksumType)}${parts}`;
  return reply(200, document('ListPartsResult', inner), 'application/xml');
}

export function listMultipartUploads(
  context: S3Context,
  bucketName: string,
  request: EdgeRequest,
): EdgeResponse {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const query = request.url.searchParams;
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = Math.min(Number(query.get('max-uploads') ?? '1000') || 1000, 1000);
  const encode = query.get('encoding-type') === 'url' ? encodeS3Key : (text: string) => text;
  const all = context.uploads.inProgress(bucketName).filter((candidate) => {
    if (!candidate.key.startsWith(prefix)) return false;
    if (keyMarker === '') return true;
    const order = Buffer.compare(Buffer.from(candidate.key), Buffer.from(keyMarker));
    return order > 0 || (order === 0 && uploadIdMarker !== '' && candidate.uploadId > uploadIdMarker);
  });
  const page = all.slice(0, maxUploads);
  const truncated = all.length > maxUploads;
  const last = page.at(-1);
  const uploads = page
    .map(
      (candidate) =>
        `<Upload>${element('Key', encode(candidate.key))}${element('UploadId', candidate.uploadId)}${INITIATOR}${element('StorageClass', candidate.attributes.storageClass)}${element('Initiated', candidate.initiated.toISOString())}${element('ChecksumAlgorithm', candidate.checksumAlgorithm)}${element('ChecksumType', candidate.checksumType)}</Upload>`,
    )
    .join('');
  const inner = `${element('Bucket', bucketName)}${element('KeyMarker', encode(keyMarker))}${element('UploadIdMarker', uploadIdMarker)}${truncated && last ? `${element('NextKeyMarker', encode(last.key))}${element('NextUploadIdMarker', last.uploadId)}` : ''}${element('Prefix', encode(prefix))}${element('MaxUploads', maxUploads)}${element('IsTruncated', truncated)}${uploads}${query.get('encoding-type') === 'url' ? element('EncodingType', 'url') : ''}`;
  return reply(200, document('ListMultipartUploadsResult', inner), 'application/xml');
}
