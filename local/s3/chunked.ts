/**
 * The `aws-chunked` content encoding of streamed SigV4 uploads
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, ...):
 * `<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n\r\n`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */

export interface DecodedBody {
  body: Buffer;
  /** Trailing headers (lowercase names), e.g. `x-amz-checksum-crc32`. */
  trailers: Record<string, string>;
}

/** Decodes an aws-chunked body; undefined when it is not well formed. */
export function decodeAwsChunked(raw: Buffer): DecodedBody | undefined {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) return undefined;
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size > raw.length) return undefined;
    chunks.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}
