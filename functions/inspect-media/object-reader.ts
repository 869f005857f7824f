import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectDescription } from '../core/metadata-item';
import type { ObjectEvent } from '../core/object-event';
import { readObjectRange } from '../object-bytes';

/**
 * At most this many bytes are fetched per object, past the sample DescribeObject
 * already read: enough for a JPEG's EXIF segment (at most 64 KiB) and its frame
 * header, an MP4 `moov` header at the end, a PDF's trailer, cross-reference
 * section and the few objects on the way to its page count.
 */
export const MAX_BYTES_PER_OBJECT = 256 * 1024;

/** At most this many ranged GETs per object. */
export const MAX_REQUESTS_PER_OBJECT = 6;

/**
 * A request reads at least this much (when the object and the budget allow):
 * the next structure a reader looks for is usually close to the one it asked for.
 */
export const READ_AHEAD_BYTES = 8 * 1024;

/** The object's structure points past the bytes this stage allows itself to read. */
export class ReadLimitError extends Error {
  override readonly name = 'ReadLimitError';
}

/** The bytes do not hold what their format says they must: corrupt, truncated, or not that format. */
export class MalformedMediaError extends Error {
  override readonly name = 'MalformedMediaError';
}

interface Chunk {
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * Random access to one described object: the sample first, then ranged GETs
 * (each pinned to the described ETag by {@link readObjectRange}) within a budget
 * of {@link MAX_BYTES_PER_OBJECT} bytes and {@link MAX_REQUESTS_PER_OBJECT} requests.
 * The format readers ask for the ranges they need; nothing is read twice.
 */
export class ObjectReader {
  private readonly chunks: Chunk[] = [];
  /** Bytes fetched by ranged GETs (the sample is not counted: it was read once for every stage). */
  bytesFetched = 0;
  requests = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly object: Pick<ObjectEvent, 'bucket' | 'key'>,
    private readonly description: Pick<ObjectDescription, 'eTag' | 'versionId' | 'size'>,
    sample: Uint8Array,
  ) {
    if (sample.length > 0) this.chunks.push({ start: 0, bytes: sample });
  }

  /** The object's size in bytes. */
  get size(): number {
    return this.description.size;
  }

  /**
   * Bytes `start` to `end` (exclusive), clipped to the object's size.
   * @throws ReadLimitError when fetching them would pass the budget.
   * @throws the pipeline's typed errors from {@link readObjectRange} (412, 404, throttling...).
   */
  async read(start: number, end: number): Promise<Uint8Array> {
    const to = Math.min(end, this.size);
    if (start < 0 || start >= to) return new Uint8Array();
    const cached = this.cached(start, to);
    if (cached) return cached;
    // Fetch from the end of what is held when the range starts inside a held chunk.
    const held = this.chunks.find((c) => c.start <= start && start < c.start + c.bytes.length);
    const from = held ? held.start + held.bytes.length : start;
    const remaining = MAX_BYTES_PER_OBJECT - this.bytesFetched;
    if (to - from > remaining || this.requests >= MAX_REQUESTS_PER_OBJECT) {
      throw new ReadLimitError(
        `bytes ${start}-${to - 1} are past the read limit (${this.bytesFetched} bytes in ${this.requests} requests so far)`,
      );
    }
    const fetchTo = Math.min(this.size, Math.max(to, from + READ_AHEAD_BYTES), from + remaining);
    this.requests += 1;
    const bytes = await readObjectRange(this.s3, this.object, this.description, from, fetchTo - 1);
    this.bytesFetched += bytes.length;
    this.chunks.push({ start: from, bytes });
    this.merge();
    const result = this.cached(start, to);
    // S3 answers with the bytes there are: fewer than asked means the object is shorter than described.
    if (!result) throw new MalformedMediaError(`the object ended before byte ${to}`);
    return result;
  }

  /** How many bytes from `start` on are already held (read with the sample or an earlier request). */
  heldFrom(start: number): number {
    const chunk = this.chunks.find((c) => c.start <= start && start < c.start + c.bytes.length);
    return chunk ? chunk.start + chunk.bytes.length - start : 0;
  }

  /** The bytes at `start`..`end` when one held chunk covers them. */
  private cached(start: number, end: number): Uint8Array | undefined {
    for (const chunk of this.chunks) {
      if (chunk.start <= start && end <= chunk.start + chunk.bytes.length)
        return chunk.bytes.subarray(start - chunk.start, end - chunk.start);
    }
    return undefined;
  }

  /** Joins adjacent chunks, so that a range spanning two reads is served from one. */
  private merge(): void {
    this.chunks.sort((a, b) => a.start - b.start);
    for (let i = 0; i + 1 < this.chunks.length; ) {
      const a = this.chunks[i] as Chunk;
      const b = this.chunks[i + 1] as Chunk;
      if (a.start + a.bytes.length >= b.start) {
        const end = Math.max(a.start + a.bytes.length, b.start + b.bytes.length);
        const joined = new Uint8Array(end - a.start);
        joined.set(a.bytes, 0);
        joined.set(b.bytes, b.start - a.start);
        this.chunks.splice(i, 2, { start: a.start, bytes: joined });
      } else {
        i += 1;
      }
    }
  }
}
