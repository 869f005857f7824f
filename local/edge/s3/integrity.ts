import { createHash } from 'node:crypto';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  checksumOf,
  digest,
  isChecksumAlgorithm,
} from '../../s3/checksums';
import { decodeAwsChunked } from '../../s3/chunked';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue } from '../http';

/**
 * The body of a write and the integrity checks S3 makes on it
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html):
 * the `aws-chunked` encoding of streamed uploads decoded, `x-amz-content-sha256`,
 * `Content-MD5` and one `x-amz-checksum-*` (header or trailer) compared with
 * the bytes received. A mismatch is S3's error, and nothing is stored.
 */

export interface CheckedBody {
  body: Buffer;
  /** The checksum the client sent (verified) or asked for (computed), if any. */
  checksum: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  /** Content-Encoding with `aws-chunked` removed (undefined if nothing is left). */
  contentEncoding: string | undefined;
}

/** Whether a body is sent with the aws-chunked encoding. */
function isChunked(request: EdgeRequest): boolean {
  return (
    (headerValue(request, 'content-encoding') ?? '')
      .split(',')
      .some((part) => part.trim() === 'aws-chunked') ||
    (headerValue(request, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-')
  );
}

export function checkedBody(request: EdgeRequest): CheckedBody | EdgeResponse {
  let body = request.body;
  let trailers: Record<string, string> = {};
  const encodings = (headerValue(request, 'content-encoding') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked');
  if (isChunked(request)) {
    const decoded = decodeAwsChunked(body);
    if (decoded === undefined)
      return s3Error(
        400,
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    body = decoded.body;
    trailers = decoded.trailers;
    const declared = headerValue(request, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== body.length)
      return s3Error(
        400,
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
  } else {
    const declared = headerValue(request, 'x-amz-content-sha256');
    if (declared !== undefined && /^[0-9a-f]{64}$/i.test(declared)) {
      const actual = createHash('sha256').update(body).digest('hex');
      if (actual !== declared.toLowerCase())
        return s3Error(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          {
            ClientComputedContentSHA256: declared,
            S3ComputedContentSHA256: actual,
          },
        );
    }
  }
  const md5 = headerValue(request, 'content-md5');
  if (md5 !== undefined) {
    const given = Buffer.from(md5, 'base64');
    if (given.length !== 16 || given.toString('base64') !== md5.trim())
      return s3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', {
        'Content-MD5': md5,
      });
    if (!createHash('md5').update(body).digest().equals(given))
      return s3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', {
        ExpectedDigest: md5,
      });
  }
  const checksum = checkChecksum(request, trailers, body);
  if (checksum !== undefined && 'status' in checksum) return checksum;
  return { body, checksum, contentEncoding: encodings.length === 0 ? undefined : encodings.join(', ') };
}

/** The one x-amz-checksum-* of a request (header or trailer), verified; or the algorithm it asked for, computed. */
function checkChecksum(
  request: EdgeRequest,
  trailers: Record<string, string>,
  body: Buffer,
): { algorithm: ChecksumAlgorithm; value: string } | EdgeResponse | undefined {
  const given = CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
    const value = headerValue(request, checksumHeader(algorithm)) ?? trailers[checksumHeader(algorithm)];
    return value === undefined ? [] : [{ algorithm, value }];
  });
  if (given.length > 1)
    return s3Error(
      400,
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  const [one] = given;
  if (one !== undefined) {
    const expectedLength = digest(one.algorithm, Buffer.alloc(0)).length;
    if (Buffer.from(one.value, 'base64').length !== expectedLength)
      return s3Error(400, 'InvalidRequest', `Value for ${checksumHeader(one.algorithm)} header is invalid.`);
    const actual = checksumOf(one.algorithm, body);
    if (actual !== one.value)
      return s3Error(
        400,
        'BadDigest',
        `The ${one.algorithm} you specified did not match the calculated checksum.`,
      );
    return one;
  }
  const asked = (
    headerValue(request, 'x-amz-sdk-checksum-algorithm') ??
    headerValue(request, 'x-amz-checksum-algorithm') ??
    ''
  ).toUpperCase();
  if (asked === '') return undefined;
  if (!isChecksumAlgorithm(asked))
    return s3Error(
      400,
      'InvalidRequest',
      `Checksum algorithm ${asked} is not supported (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).`,
    );
  return { algorithm: asked, value: checksumOf(asked, body) };
}
