import { checksumElement, checksumOf, isChecksumAlgorithm, type StoredChecksum } from '../../s3/checksums';
import type { ObjectVersion } from '../../s3/store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue, reply } from '../http';
import { announceCreated, bucketOr404, isResponse, keyTooLong, type S3Context } from './context';
import {
  contentOf,
  encryptionHeaders,
  placementOf,
  readCondition,
  versionHeader,
  writeCondition,
} from './object-headers';
import { md5ETag, storeVersion, taggingHeader, versionOf } from './objects';
import { document, element } from './xml';

/**
 * CopyObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)
 * and the source of UploadPartCopy: `x-amz-copy-source` (`bucket/key[?versionId=]`,
 * URL-encoded), its `x-amz-copy-source-if-*` conditions, the metadata and
 * tagging directives, and S3's refusal to copy an object onto itself with
 * nothing changed.
 */

export interface CopySource {
  version: ObjectVersion;
  /** The source version id header, for versioned source buckets. */
  headers: Record<string, string>;
  named: boolean;
}

/** Reads and checks the copy source of a request. */
export function copySource(context: S3Context, request: EdgeRequest): CopySource | EdgeResponse {
  const raw = headerValue(request, 'x-amz-copy-source') ?? '';
  const [path = '', query = ''] = raw.replace(/^\//, '').split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return s3Error(400, 'InvalidArgument', 'Invalid copy source encoding', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: raw,
    });
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    return s3Error(
      400,
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: raw,
      },
    );
  const bucket = bucketOr404(context, decoded.slice(0, slash));
  if (isResponse(bucket)) return bucket;
  const versionId = new URLSearchParams(query).get('versionId');
  const version = versionOf(context, bucket, decoded.slice(slash + 1), versionId);
  if (isResponse(version)) return version;
  if (version.deleteMarker)
    return versionId === null
      ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: version.key })
      : s3Error(
          400,
          'InvalidRequest',
          'The source of a copy request may not specifically refer to a delete marker by version id.',
        );
  const condition = readCondition(request, version, 'x-amz-copy-source-');
  if (condition !== undefined)
    return s3Error(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: 'x-amz-copy-source-If-*',
      },
    );
  return {
    version,
    headers: bucket.versioning === undefined ? {} : { 'x-amz-copy-source-version-id': version.versionId },
    named: versionId !== null,
  };
}

export async function copyObject(
  context: S3Context,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const tooLong = keyTooLong(key);
  if (tooLong) return tooLong;
  const source = copySource(context, request);
  if (isResponse(source)) return source;
  const placement = placementOf(request);
  if (isResponse(placement)) return placement;
  const metadataDirective = headerValue(request, 'x-amz-metadata-directive') ?? 'COPY';
  const taggingDirective = headerValue(request, 'x-amz-tagging-directive') ?? 'COPY';
  if (!['COPY', 'REPLACE'].includes(metadataDirective) || !['COPY', 'REPLACE'].includes(taggingDirective))
    return s3Error(400, 'InvalidArgument', 'Unknown metadata or tagging directive', {
      ArgumentName: 'x-amz-metadata-directive',
    });
  const from = source.version;
  const sameObject = from.bucket === bucketName && from.key === key;
  const changed =
    metadataDirective === 'REPLACE' ||
    headerValue(request, 'x-amz-storage-class') !== undefined ||
    headerValue(request, 'x-amz-server-side-encryption') !== undefined ||
    headerValue(request, 'x-amz-website-redirect-location') !== undefined ||
    headerValue(request, 'x-amz-checksum-algorithm') !== undefined;
  if (sameObject && !changed && !source.named)
    return s3Error(
      400,
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  let tags: [string, string][] = from.tags;
  if (taggingDirective === 'REPLACE') {
    const given = taggingHeader(request);
    if (!Array.isArray(given)) return given;
    tags = given;
  }
  const body = context.store.readBody(from);
  const asked = (headerValue(request, 'x-amz-checksum-algorithm') ?? '').toUpperCase();
  const algorithm = isChecksumAlgorithm(asked) ? asked : (from.checksum?.algorithm ?? 'CRC64NVME');
  const checksum: StoredChecksum = { algorithm, value: checksumOf(algorithm, body), type: 'FULL_OBJECT' };
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const refused = writeCondition(request, context.store.current(bucketName, key), key);
    if (refused) return refused;
    const content =
      metadataDirective === 'REPLACE'
        ? contentOf(request)
        : { headers: from.headers, metadata: from.metadata };
    const version = storeVersion(context, bucket, key, {
      body,
      size: body.length,
      eTag: md5ETag(body),
      attributes: { ...content, ...placement, checksum, tags },
    });
    await announceCreated(context, bucket, 'ObjectCreated:Copy', request, version);
    return reply(
      200,
      document(
        'CopyObjectResult',
        `${element('ETag', version.eTag)}${element('LastModified', version.lastModified.toISOString())}${element(checksumElement(checksum.algorithm), checksum.value)}${element('ChecksumType', checksum.type)}`,
      ),
      'application/xml',
      {
        ...versionHeader(bucket, version.versionId),
        ...source.headers,
        ...encryptionHeaders(version.encryption),
      },
    );
  });
}
