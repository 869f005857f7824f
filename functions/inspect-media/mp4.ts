import { latin1, roundSeconds, u32be, u64be } from './bytes';
import type { MediaAttributes } from './media';
import { MalformedMediaError, type ObjectReader } from './object-reader';

interface Box {
  readonly type: string;
  /** Offset of the box's content (after its header). */
  readonly start: number;
  readonly end: number;
}

/** A bound on the boxes walked at one level: files have a handful at the top and in `moov`. */
const MAX_BOXES = 64;

/**
 * The boxes between `start` and `end`, header by header: a box's content is
 * never read unless asked for, so a `moov` after megabytes of `mdat` costs one
 * small read. Each box is a 32-bit size and a type, with a 64-bit size when
 * the first is 1, and "to the end" when it is 0 (ISO/IEC 14496-12 4.2).
 */
async function* boxes(reader: ObjectReader, start: number, end: number): AsyncGenerator<Box> {
  let position = start;
  for (let count = 0; count < MAX_BOXES && position + 8 <= end; count += 1) {
    const header = await reader.read(position, Math.min(position + 16, end));
    let size = u32be(header, 0);
    const type = latin1(header, 4, 8);
    let headerSize = 8;
    if (size === 1) {
      size = u64be(header, 8);
      headerSize = 16;
    } else if (size === 0) {
      size = end - position;
    }
    if (size < headerSize || position + size > end)
      throw new MalformedMediaError(`box '${type}' of ${size} bytes at ${position} does not fit`);
    yield { type, start: position + headerSize, end: position + size };
    position += size;
  }
}

/**
 * An MP4/QuickTime/3GP file's duration from the movie header (`moov`/`mvhd`):
 * duration over timescale (ISO/IEC 14496-12 8.2.2). `moov` may follow the
 * media data; the top-level walk reads box headers only. A duration of 0 (a
 * fragmented file) or all ones (unknown) gives no field. Hand-written: the
 * libraries that read it (mp4box, music-metadata) are hundreds of KB.
 */
export async function inspectMp4(reader: ObjectReader): Promise<MediaAttributes> {
  let sawFtyp = false;
  for await (const box of boxes(reader, 0, reader.size)) {
    if (box.type === 'ftyp') sawFtyp = true;
    if (box.type !== 'moov') continue;
    for await (const child of boxes(reader, box.start, box.end)) {
      if (child.type !== 'mvhd') continue;
      const mvhd = await reader.read(child.start, Math.min(child.start + 32, child.end));
      const version = mvhd[0];
      const [timescale, duration, unknown] =
        version === 1
          ? [u32be(mvhd, 20), u64be(mvhd, 24), 2 ** 64 - 1]
          : [u32be(mvhd, 12), u32be(mvhd, 16), 0xffffffff];
      if (timescale === 0) throw new MalformedMediaError('mvhd timescale 0');
      if (duration === unknown) return {};
      const seconds = roundSeconds(duration / timescale);
      return seconds === undefined ? {} : { DurationSeconds: seconds };
    }
    throw new MalformedMediaError('moov without mvhd');
  }
  throw new MalformedMediaError(sawFtyp ? 'no moov box' : 'no ftyp or moov box');
}
