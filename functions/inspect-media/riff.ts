import { latin1, u32le } from './bytes';
import { MalformedMediaError, type ObjectReader } from './object-reader';

/** One chunk of a RIFF file: its four-character id and where its data lies. */
export interface RiffChunk {
  readonly id: string;
  /** Offset of the chunk's data (after its 8-byte header). */
  readonly start: number;
  readonly size: number;
}

/** A bound on the chunks walked: WAV and WebP files have a handful. */
const MAX_CHUNKS = 64;

/**
 * The chunks of a RIFF file (WAV, WebP), read header by header: the data of a
 * chunk that is not asked for is never read. Each chunk is an id, a 32-bit
 * little-endian size and the data, padded to an even length (Microsoft
 * Multimedia Programming Interface and Data Specifications 1.0, "RIFF"; the
 * WebP container specification).
 */
export async function* riffChunks(reader: ObjectReader): AsyncGenerator<RiffChunk> {
  const head = await reader.read(0, 12);
  if (head.length < 12 || latin1(head, 0, 4) !== 'RIFF') throw new MalformedMediaError('no RIFF header');
  const end = Math.min(reader.size, 8 + u32le(head, 4));
  let position = 12;
  for (let count = 0; count < MAX_CHUNKS && position + 8 <= end; count += 1) {
    const header = await reader.read(position, position + 8);
    const size = u32le(header, 4);
    yield { id: latin1(header, 0, 4), start: position + 8, size };
    position += 8 + size + (size % 2);
  }
}
