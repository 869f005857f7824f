/**
 * The media inspection enrichment stage: image dimensions and EXIF capture
 * time and camera model, PDF page count and version, audio/video duration.
 *
 * Libraries, chosen for what they read from a byte range and what they add to
 * the Lambda bundle (esbuild, minified; the project's target is < 300 KB):
 * - `image-size` 2.x (CommonJS, no dependencies, tens of millions of downloads
 *   a month, released this year): dimensions of PNG, GIF, WebP, BMP, TIFF,
 *   HEIF/AVIF from a buffer; its readers imported one by one, about 5 KB
 *   bundled. Most of those formats put their size in their first bytes, so
 *   the sample DescribeObject read is enough.
 * - `exif-reader` 2.x (CommonJS, no dependencies, about 12 KB bundled; the EXIF
 *   reader sharp's documentation points to): parses an EXIF block on its own,
 *   which is what a ranged read gives us (JPEG's APP1 segment, PNG's eXIf chunk,
 *   WebP's EXIF chunk). `exifr` was the alternative: 30-75 KB depending on the
 *   build, and it wants the whole file (or its own file readers) rather than a block.
 * - Not `music-metadata` (the well-kept audio/video parser, with a range
 *   tokenizer): ESM-only and about 230 KB bundled with its dependencies, which
 *   alone would put this bundle over the target for three numbers. WAV, MP3 and
 *   MP4 durations come from small readers of their headers (`audio.ts`,
 *   `mp4.ts`), as does the PDF page count (`pdf.ts`: pdf.js and pdf-lib load
 *   the whole file) and the JPEG frame header (`images.ts`: it is often past the
 *   sample, behind a 64 KiB EXIF segment, and image-size wants one buffer).
 *   Each says which specification it follows.
 *
 * Bytes: the sample first; more only through `readObjectRange` (pinned to the
 * described ETag), at most MAX_BYTES_PER_OBJECT bytes in MAX_REQUESTS_PER_OBJECT
 * requests (object-reader.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type EnrichmentResult, type EnrichmentStageInput, sampleBytes } from '../core/enrichment';
import { PipelineError } from '../core/errors';
import type { StepLogger } from '../core/step';
import { inspectMp3, inspectWav } from './audio';
import { inspectImage, inspectJpeg } from './images';
import type { MediaAttributes } from './media';
import { inspectMp4 } from './mp4';
import { MalformedMediaError, ObjectReader, ReadLimitError } from './object-reader';
import { inspectPdf } from './pdf';

export const STAGE_NAME = 'media-inspection';

/** Where the content-sniffing stage's result is, in the stage input's `enrichment`. */
export const CONTENT_SNIFFING_KEY = 'contentSniffing';

export interface InspectMediaDeps {
  s3: S3Client;
  log?: StepLogger;
}

type Inspector = (reader: ObjectReader, sample: Uint8Array) => Promise<MediaAttributes>;

/** JPEGs are recognized by their bytes too: a declared `image/png` that is a JPEG is still read right. */
const image: Inspector = (reader, sample) =>
  sample[0] === 0xff && sample[1] === 0xd8 ? inspectJpeg(reader) : inspectImage(reader, sample);

/** The media types this stage reads, and how. */
const INSPECTORS: Readonly<Record<string, Inspector>> = {
  'image/jpeg': image,
  'image/png': image,
  'image/gif': image,
  'image/webp': image,
  'image/bmp': image,
  'image/tiff': image,
  'image/heic': image,
  'image/heif': image,
  'image/avif': image,
  'application/pdf': inspectPdf,
  'audio/wav': inspectWav,
  'audio/mpeg': inspectMp3,
  'audio/mp4': inspectMp4,
  'video/mp4': inspectMp4,
  'video/quicktime': inspectMp4,
  'video/3gpp': inspectMp4,
  'video/3gpp2': inspectMp4,
};

/** Other spellings of the types above that declared Content-Types use. */
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'application/x-pdf': 'application/pdf',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'video/x-m4v': 'video/mp4',
};

/** The media types this stage inspects (after aliases). */
export const INSPECTED_TYPES: readonly string[] = Object.keys(INSPECTORS);

/**
 * The type to inspect as: what content sniffing found in the bytes when it
 * found something, else the declared Content-Type, without parameters.
 */
export function mediaTypeOf(input: Pick<EnrichmentStageInput, 'description' | 'enrichment'>): string {
  const detected = input.enrichment[CONTENT_SNIFFING_KEY]?.attributes.DetectedContentType;
  const type = typeof detected === 'string' && detected !== '' ? detected : input.description.contentType;
  const essence = (type.split(';')[0] ?? '').trim().toLowerCase();
  return ALIASES[essence] ?? essence;
}

/**
 * Media inspection. Attributes (only those found; none for other types):
 * images: `ImageWidth`, `ImageHeight` (as stored: an EXIF Orientation of 5-8
 * shows them swapped), and from EXIF `CapturedAt` (ISO 8601,
 * the camera's local time, with its UTC offset when recorded) and `CameraModel`;
 * PDFs: `PageCount`, `PdfVersion` (e.g. "1.7"); WAV, MP3, MP4/QuickTime:
 * `DurationSeconds` (rounded to the millisecond).
 *
 * A corrupt or truncated file, or one whose structure points past the read
 * limit, gives no attributes and one log line: a file's content never fails
 * the execution.
 *
 * @throws SupersededError when the object changed since it was described (412).
 * @throws ObjectNotFoundError when it was deleted meanwhile (404).
 * @throws ThrottledError, TransientError, PermanentError from its ranged GETs.
 */
export async function inspectMedia(
  input: EnrichmentStageInput,
  deps: InspectMediaDeps,
): Promise<EnrichmentResult> {
  const type = mediaTypeOf(input);
  const inspect = INSPECTORS[type];
  // Not media, or no bytes to read (empty, or archived: GetObject would fail with InvalidObjectState).
  if (!inspect || !input.sample.read || input.description.size === 0)
    return { stage: STAGE_NAME, attributes: {} };
  const sample = sampleBytes(input.sample);
  const reader = new ObjectReader(deps.s3, input.object, input.description, sample);
  try {
    return { stage: STAGE_NAME, attributes: await inspect(reader, sample) };
  } catch (error) {
    // S3's answers (412, 404, throttling...) are the workflow's to retry or catch.
    if (error instanceof PipelineError) throw error;
    const limit = error instanceof ReadLimitError;
    deps.log?.[limit ? 'info' : 'warn'](
      limit
        ? 'media inspection stopped at its read limit'
        : 'media inspection found a corrupt or truncated file',
      {
        mediaType: type,
        reason: error instanceof MalformedMediaError || limit ? error.message : String(error),
        bytesFetched: reader.bytesFetched,
        requests: reader.requests,
      },
    );
    return { stage: STAGE_NAME, attributes: {} };
  }
}
