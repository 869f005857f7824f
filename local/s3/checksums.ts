import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * The checksum algorithms S3 stores and returns (x-amz-checksum-*), computed
 * as S3 does: big-endian digests, base64. A multipart upload's checksum is
 * either COMPOSITE (the checksum of the parts' concatenated digests, `-N`) or
 * FULL_OBJECT (over the whole body; the only type for CRC64NVME).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** What S3 keeps of an object's checksum. */
export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, with `-N` for a composite multipart checksum. */
  value: string;
  type: ChecksumType;
}

/** The header (`x-amz-checksum-crc32`) of an algorithm. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The element name (`ChecksumCRC32`) of an algorithm in XML answers. */
export function checksumElement(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

function table32(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32C_TABLE = table32(0x82f63b78);

function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (CRC32C_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and final xor all ones.
// Kept as two 32-bit halves: BigInt per byte would be too slow for 16 MB bodies.
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
{
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    CRC64_HI[n] = Number(c >> 32n);
    CRC64_LO[n] = Number(c & 0xffffffffn);
  }
}

function crc64nvme(data: Uint8Array): Buffer {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ (data[i] ?? 0)) & 0xff;
    // (crc >> 8) ^ table[index]
    const shiftedLo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const shiftedHi = hi >>> 8;
    lo = (shiftedLo ^ (CRC64_LO[index] ?? 0)) >>> 0;
    hi = (shiftedHi ^ (CRC64_HI[index] ?? 0)) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
  out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  return out;
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The raw digest of data. */
export function digest(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  switch (algorithm) {
    case 'CRC32':
      return uint32(zlibCrc32(data));
    case 'CRC32C':
      return uint32(crc32c(data));
    case 'CRC64NVME':
      return crc64nvme(data);
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

/** The base64 checksum of data. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  return digest(algorithm, data).toString('base64');
}

/** A multipart upload's composite checksum: the checksum of the parts' digests, then `-N`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, parts: readonly string[]): string {
  const joined = Buffer.concat(parts.map((part) => Buffer.from(part, 'base64')));
  return `${checksumOf(algorithm, joined)}-${parts.length}`;
}
