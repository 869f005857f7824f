import exifReader from 'exif-reader';
import { BMP } from 'image-size/types/bmp';
import { GIF } from 'image-size/types/gif';
import { HEIF } from 'image-size/types/heif';
import type { IImage, ISizeCalculationResult } from 'image-size/types/interface';
import { PNG } from 'image-size/types/png';
import { TIFF } from 'image-size/types/tiff';
import { WEBP } from 'image-size/types/webp';
import { latin1, u16be, u32be } from './bytes';
import type { MediaAttributes } from './media';
import { MalformedMediaError, type ObjectReader, ReadLimitError } from './object-reader';
import { riffChunks } from './riff';

/**
 * Width and height of a PNG, GIF, WebP, BMP, TIFF, HEIF/AVIF... by `image-size`,
 * from the sample: PNG, GIF, WebP and BMP put their dimensions in their first
 * bytes (PNG's IHDR at byte 16, GIF's screen descriptor at 6, WebP's
 * VP8/VP8L/VP8X header before byte 30). TIFF (whose IFD may follow the image
 * data) and HEIF/AVIF (whose `ispe` box is in `meta`) get one more try with the
 * first {@link IMAGE_PREFIX_BYTES}. Plus the EXIF a PNG (`eXIf`), a WebP
 * (`EXIF`) or a TIFF (its own IFDs) carries.
 */
export async function inspectImage(reader: ObjectReader, sample: Uint8Array): Promise<MediaAttributes> {
  let bytes = sample;
  let size = measure(bytes);
  if (size instanceof Error && bytes.length < reader.size && mayNeedMore(sample)) {
    bytes = await reader.read(0, Math.min(reader.size, IMAGE_PREFIX_BYTES));
    size = measure(bytes);
    if (size instanceof Error && bytes.length < reader.size)
      throw new ReadLimitError(`image-size needs more than the first ${bytes.length} bytes: ${size.message}`);
  }
  if (size instanceof Error) throw new MalformedMediaError(`image-size: ${size.message}`);
  const attributes = dimensions(size.width, size.height);
  const exif =
    size.type === 'png'
      ? pngExif(bytes)
      : size.type === 'webp'
        ? await webpExif(reader)
        : size.type === 'tiff'
          ? bytes
          : undefined;
  return { ...attributes, ...(exif ? exifAttributes(exif) : {}) };
}

/** How much of a TIFF or HEIF/AVIF file is read when its dimensions are not in the sample. */
export const IMAGE_PREFIX_BYTES = 64 * 1024;

/** TIFF ("II*\0", "MM\0*") and ISO media (HEIF, AVIF: "ftyp" at 4) keep their dimensions wherever they like. */
function mayNeedMore(sample: Uint8Array): boolean {
  const head = latin1(sample, 0, Math.min(sample.length, 8));
  return head.startsWith('II*\0') || head.startsWith('MM\0*') || head.slice(4, 8) === 'ftyp';
}

/**
 * image-size's readers of the formats this stage inspects, imported one by one
 * (its public `image-size/types/*` entry points) rather than through
 * `imageSize()`, which brings all twenty (ICO, DDS, KTX, PSD, SVG...): 5 KB of
 * the bundle instead of 13.
 */
const READERS: readonly (readonly [string, IImage])[] = [
  ['png', PNG],
  ['gif', GIF],
  ['webp', WEBP],
  ['bmp', BMP],
  ['tiff', TIFF],
  ['heif', HEIF],
];

/** The size image-size finds, as `imageSize()` reports it (the largest image of a HEIF collection). */
function measure(bytes: Uint8Array): (ISizeCalculationResult & { type: string }) | Error {
  try {
    const found = READERS.find(([, reader]) => reader.validate(bytes));
    if (!found) return new Error('not a PNG, GIF, WebP, BMP, TIFF or HEIF/AVIF image');
    const size = found[1].calculate(bytes);
    const largest = size.images?.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return { ...size, ...(largest ? { width: largest.width, height: largest.height } : {}), type: found[0] };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Frame markers that carry the image's dimensions (SOF0..SOF15 but DHT, JPG and DAC). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);

/** A bound on the segments walked before the frame header: real files have a dozen. */
const MAX_JPEG_SEGMENTS = 64;

/**
 * A JPEG's dimensions (from its frame header, SOFn) and EXIF (its APP1 "Exif"
 * segment), walking the segments by their lengths (ITU-T T.81 B.1.1.4, JFIF/EXIF
 * APP1: CIPA DC-008 4.5.4). Hand-written because the frame header often lies
 * past the sample, after an EXIF segment of up to 64 KiB with its thumbnail,
 * and image-size needs the bytes up to it in one buffer: the walk reads only
 * each segment's 4-byte header, the EXIF segment and the frame header.
 */
export async function inspectJpeg(reader: ObjectReader): Promise<MediaAttributes> {
  const soi = await reader.read(0, 2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw new MalformedMediaError('no JPEG start of image');
  let position = 2;
  let exif: Uint8Array | undefined;
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS; segment += 1) {
    const header = await reader.read(position, position + 4);
    if (header.length < 2 || header[0] !== 0xff)
      throw new MalformedMediaError(`no JPEG marker at byte ${position}`);
    const marker = header[1] as number;
    // Fill bytes (0xFF) may precede a marker; TEM and RSTn stand alone, with no length.
    if (marker === 0xff) {
      position += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      position += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9)
      throw new MalformedMediaError('no JPEG frame header before the scan');
    const length = u16be(header, 2);
    if (length < 2) throw new MalformedMediaError(`JPEG segment length ${length} at byte ${position}`);
    if (isStartOfFrame(marker)) {
      // Lf(2) P(1) Y(2) X(2): the number of lines, then of samples per line.
      const frame = await reader.read(position + 4, position + 9);
      const attributes = dimensions(u16be(frame, 3), u16be(frame, 1));
      return { ...attributes, ...(exif ? exifAttributes(exif) : {}) };
    }
    // APP1 holds EXIF or XMP: only the EXIF one is read whole.
    if (marker === 0xe1 && !exif && latin1(await reader.read(position + 4, position + 10)) === 'Exif\0\0') {
      exif = await reader.read(position + 4, position + 2 + length);
      if (exif.length < length - 2) throw new MalformedMediaError('JPEG APP1 segment cut short');
    }
    position += 2 + length;
  }
  throw new MalformedMediaError(`no JPEG frame header in the first ${MAX_JPEG_SEGMENTS} segments`);
}

function dimensions(width: number | undefined, height: number | undefined): MediaAttributes {
  if (!Number.isInteger(width) || !Number.isInteger(height) || !width || !height || width < 0 || height < 0)
    throw new MalformedMediaError(`no valid dimensions (${width}x${height})`);
  return { ImageWidth: width, ImageHeight: height };
}

/** PNG's eXIf chunk, when it lies in the sample before the image data (PNG 3rd edition, 11.3.3.6). */
function pngExif(sample: Uint8Array): Uint8Array | undefined {
  for (let position = 8; position + 8 <= sample.length; ) {
    const length = u32be(sample, position);
    const type = latin1(sample, position + 4, position + 8);
    if (type === 'IDAT' || type === 'IEND') return undefined;
    if (type === 'eXIf') {
      const end = position + 8 + length;
      return end <= sample.length ? sample.subarray(position + 8, end) : undefined;
    }
    position += 12 + length;
  }
  return undefined;
}

/** The EXIF flag of the VP8X header (WebP container specification, "Extended File Format"). */
const VP8X_EXIF_FLAG = 0x08;

/** WebP's EXIF chunk, which comes after the image data: found by walking the chunk headers. */
async function webpExif(reader: ObjectReader): Promise<Uint8Array | undefined> {
  const head = await reader.read(0, 21);
  if (latin1(head, 12, 16) !== 'VP8X' || ((head[20] ?? 0) & VP8X_EXIF_FLAG) === 0) return undefined;
  for await (const chunk of riffChunks(reader)) {
    if (chunk.id === 'EXIF') return reader.read(chunk.start, chunk.start + chunk.size);
  }
  return undefined;
}

/**
 * `CapturedAt` and `CameraModel` from an EXIF block (a TIFF structure, with or
 * without the "Exif\0\0" header of JPEG's APP1), read by `exif-reader`.
 * DateTimeOriginal is the camera's local time with no zone (CIPA DC-008 4.6.5):
 * CapturedAt is ISO 8601 local time, with the UTC offset when OffsetTimeOriginal
 * (EXIF 2.31) records it.
 */
export function exifAttributes(block: Uint8Array): MediaAttributes {
  let exif: ReturnType<typeof exifReader>;
  try {
    exif = exifReader(Buffer.from(block.buffer, block.byteOffset, block.byteLength));
  } catch (error) {
    throw new MalformedMediaError(`EXIF: ${error instanceof Error ? error.message : String(error)}`);
  }
  const attributes: MediaAttributes = {};
  const taken = exif.Photo?.DateTimeOriginal;
  // exif-reader turns "0000:00:00 00:00:00" (a camera with no clock set) into a date in 1899.
  if (taken instanceof Date && !Number.isNaN(taken.getTime()) && taken.getUTCFullYear() > 1900) {
    const offset = exif.Photo?.OffsetTimeOriginal;
    const zone = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '';
    attributes.CapturedAt = `${taken.toISOString().slice(0, 19)}${zone}`;
  }
  const model = exif.Image?.Model;
  if (typeof model === 'string' && model.trim() !== '') attributes.CameraModel = model.trim();
  return attributes;
}
