import * as zlib from 'node:zlib';

/**
 * Content codings S3 objects declare in Content-Encoding
 * (https://www.rfc-editor.org/rfc/rfc9110#name-content-codings, and `zstd`, RFC 8878)
 * and how to undo them on the sample of the first bytes.
 */
export type ContentCoding = 'gzip' | 'br' | 'zstd' | 'deflate';

/**
 * Decoded bytes allowed at most. DEFLATE expands at most about 1,000 times, so
 * 4 KiB of gzip decodes to 4 MiB at most; a crafted stream that would give more
 * (a decompression bomb, possible with brotli and zstd) fails to decode and
 * is judged by its bytes as they are.
 */
const MAX_DECODED_BYTES = 8 * 1024 * 1024;

/** Decoded bytes handed to the detection: as many as a sample holds, and more for text that compressed well. */
const SNIFFED_BYTES = 64 * 1024;

/** What the decoders are told: stop at the cap, and give back what a truncated stream decodes to. */
const PARTIAL = {
  maxOutputLength: MAX_DECODED_BYTES,
  finishFlush: zlib.constants.Z_SYNC_FLUSH,
} as const;

/**
 * The coding a Content-Encoding value names, when it is one the sample can be
 * decoded from: one coding (a chain such as `gzip, br` is left alone), case
 * and spaces ignored; `x-gzip` is gzip (RFC 9110, 8.4.1.3).
 */
export function codingOf(contentEncoding: string | undefined): ContentCoding | undefined {
  const value = (contentEncoding ?? '').trim().toLowerCase();
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'br' || value === 'zstd' || value === 'deflate') return value;
  return undefined;
}

function decoder(coding: ContentCoding): (data: Uint8Array) => Buffer {
  switch (coding) {
    case 'gzip':
      return (data) => zlib.gunzipSync(data, PARTIAL);
    case 'deflate':
      // HTTP's "deflate" is the zlib format (RFC 1950); some servers send raw DEFLATE (RFC 1951).
      return (data) => {
        try {
          return zlib.inflateSync(data, PARTIAL);
        } catch {
          return zlib.inflateRawSync(data, PARTIAL);
        }
      };
    case 'br':
      return (data) =>
        zlib.brotliDecompressSync(data, {
          maxOutputLength: MAX_DECODED_BYTES,
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        });
    case 'zstd':
      return (data) => {
        // Node 23.8+ (the Lambda runtime is Node 24); absent elsewhere, the sample stays undecoded.
        const zstd = (zlib as { zstdDecompressSync?: (data: Uint8Array, options: object) => Buffer })
          .zstdDecompressSync;
        if (zstd === undefined) throw new Error('zstd is not available in this Node.js');
        return zstd(data, { maxOutputLength: MAX_DECODED_BYTES, finishFlush: 1 /* ZSTD_e_flush */ });
      };
  }
}

/**
 * The sample decoded, or undefined when it does not decode as the declared
 * coding (the declaration is wrong, or the sample too short to hold a block).
 * A sample of the object's start decodes to the start of the content.
 */
export function decodeSample(data: Uint8Array, coding: ContentCoding): Uint8Array | undefined {
  try {
    const decoded = decoder(coding)(data);
    return decoded.length > 0 ? new Uint8Array(decoded.subarray(0, SNIFFED_BYTES)) : undefined;
  } catch {
    return undefined;
  }
}
