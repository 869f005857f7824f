import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, type GetObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type EnrichmentStageInput,
  SAMPLE_BYTES,
  toSample,
  UNREAD_SAMPLE,
} from '../../../functions/core/enrichment';
import { ObjectNotFoundError, SupersededError } from '../../../functions/core/errors';
import type { StepLogger } from '../../../functions/core/step';
import { handler } from '../../../functions/inspect-media';
import { IMAGE_PREFIX_BYTES } from '../../../functions/inspect-media/images';
import { inspectMedia, STAGE_NAME } from '../../../functions/inspect-media/inspect-media';
import {
  MAX_BYTES_PER_OBJECT,
  MAX_REQUESTS_PER_OBJECT,
  READ_AHEAD_BYTES,
} from '../../../functions/inspect-media/object-reader';
import { objectDescription, objectEvent } from '../../support/fixtures';

const GET_OBJECT = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html';
const ROOT = join(__dirname, '..', '..', '..');
const sample = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'local', 'samples', name)));
const fixture = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'test', 'fixtures', 'media', name)));
const ETAG = '9b2cf535f27731c974343645a3985328';

const s3 = mockClient(S3Client);
/** The bytes the mocked bucket holds for the object under test. */
let stored: Uint8Array = new Uint8Array();

/**
 * A ranged GetObject as S3 answers it: `bytes=first-last`, inclusive; a last
 * byte past the end is served up to the end; a first byte past the end is
 * 416 InvalidRange (GetObject's Range: RFC 9110 14.1.2, ${GET_OBJECT}).
 */
function rangedGet(input: GetObjectCommandInput) {
  const match = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
  if (!match) throw new Error(`the stage must send a closed range, sent ${input.Range}`);
  const first = Number(match[1]);
  const last = Math.min(Number(match[2]), stored.length - 1);
  if (first >= stored.length) {
    throw Object.assign(new Error('The requested range is not satisfiable'), {
      name: 'InvalidRange',
      $metadata: { httpStatusCode: 416 },
    });
  }
  const bytes = stored.slice(first, last + 1);
  return {
    ContentLength: bytes.length,
    ContentRange: `bytes ${first}-${last}/${stored.length}`,
    Body: { transformToByteArray: async () => bytes } as never,
  };
}

/** The ranges the stage asked for, as [first, last] pairs. */
const requestedRanges = () =>
  s3.commandCalls(GetObjectCommand).map((call) => {
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(call.args[0].input.Range ?? '') ?? [];
    return [Number(first), Number(last)] as const;
  });

const bytesRequested = () =>
  requestedRanges().reduce((sum, [first, last]) => sum + Math.min(last, stored.length - 1) - first + 1, 0);

/** The stage input for `bytes` stored as the object, declared as `contentType`, with what sniffing detected. */
function stageInput(bytes: Uint8Array, contentType: string, detected?: string | null): EnrichmentStageInput {
  stored = bytes;
  return {
    object: objectEvent({ key: 'media/file', eTag: ETAG, size: bytes.length }),
    description: objectDescription({ contentType, size: bytes.length, eTag: ETAG }),
    sample: toSample(bytes, bytes.length),
    enrichment:
      detected === undefined
        ? {}
        : { contentSniffing: { stage: 'content-sniffing', attributes: { DetectedContentType: detected } } },
  };
}

const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } satisfies StepLogger;
const inspect = (input: EnrichmentStageInput) => inspectMedia(input, { s3: s3 as unknown as S3Client, log });

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).callsFake(rangedGet);
  jest.clearAllMocks();
});

describe('images', () => {
  it("reads a PNG's size from its IHDR chunk in the sample, with no request (PNG 3rd edition 11.2.1)", async () => {
    await expect(inspect(stageInput(sample('photo.png'), 'image/png'))).resolves.toEqual({
      stage: STAGE_NAME,
      attributes: { ImageWidth: 16, ImageHeight: 16 },
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("reads a GIF's logical screen size (GIF89a 18)", async () => {
    const result = await inspect(stageInput(sample('pixel.gif'), 'image/gif'));
    expect(result.attributes).toEqual({ ImageWidth: 1, ImageHeight: 1 });
  });

  it("reads a lossy WebP's size from its VP8 frame header (WebP container specification)", async () => {
    const result = await inspect(stageInput(sample('tile.webp'), 'image/webp'));
    expect(result.attributes).toEqual({ ImageWidth: 96, ImageHeight: 64 });
  });

  it("reads a JPEG's size and its EXIF DateTimeOriginal with OffsetTimeOriginal and Model (CIPA DC-008 4.6.5)", async () => {
    const result = await inspect(stageInput(sample('camera.jpg'), 'image/jpeg'));
    expect(result.attributes).toEqual({
      ImageWidth: 160,
      ImageHeight: 120,
      CapturedAt: '2026-05-17T09:30:15+02:00',
      CameraModel: 'Acme Shutterbug 3',
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it(`reads a JPEG frame header that lies past the sample, behind an EXIF thumbnail, with one ranged GET pinned to the ETag (ITU-T T.81 B.1.1.4; ${GET_OBJECT})`, async () => {
    const jpeg = fixture('exif-thumbnail.jpg');
    expect(jpeg.length).toBeGreaterThan(SAMPLE_BYTES);
    const result = await inspect(stageInput(jpeg, 'image/jpeg'));
    expect(result.attributes).toEqual({
      ImageWidth: 320,
      ImageHeight: 240,
      // No OffsetTimeOriginal in this file: local time, no zone designator (ISO 8601 4.3.2).
      CapturedAt: '2025-12-31T23:59:58',
      CameraModel: 'Fixture Cam',
    });
    const calls = s3.commandCalls(GetObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      Bucket: 'uploads',
      Key: 'media/file',
      IfMatch: `"${ETAG}"`,
    });
    // It continues where the sample ends.
    expect(requestedRanges()[0]?.[0]).toBe(SAMPLE_BYTES);
  });

  it('reads the EXIF of a PNG (eXIf chunk) and of a WebP (EXIF chunk after the image data)', async () => {
    const expected = { CapturedAt: '2024-02-29T12:00:00', CameraModel: 'Fixture Cam' };
    const png = await inspect(stageInput(fixture('exif.png'), 'image/png'));
    expect(png.attributes).toEqual({ ImageWidth: 16, ImageHeight: 16, ...expected });
    const webp = await inspect(stageInput(fixture('exif.webp'), 'image/webp'));
    expect(webp.attributes).toEqual({ ImageWidth: 96, ImageHeight: 64, ...expected });
  });

  it('reads a TIFF whose IFD follows the image data with one read of the first 64 KiB (TIFF 6.0, section 2)', async () => {
    const tiff = fixture('ifd-at-end.tiff');
    expect(new DataView(tiff.buffer, tiff.byteOffset).getUint32(4, true)).toBeGreaterThan(SAMPLE_BYTES);
    const result = await inspect(stageInput(tiff, 'image/tiff'));
    expect(result.attributes).toEqual({ ImageWidth: 100, ImageHeight: 60 });
    expect(requestedRanges()).toEqual([[SAMPLE_BYTES, Math.min(tiff.length, IMAGE_PREFIX_BYTES) - 1]]);
  });

  it('reads the EXIF of a TIFF from its own IFDs', async () => {
    const result = await inspect(stageInput(fixture('exif.tiff'), 'image/tiff'));
    expect(result.attributes).toEqual({
      ImageWidth: 100,
      ImageHeight: 60,
      CapturedAt: '2023-07-04T08:15:00',
      CameraModel: 'Fixture Cam',
    });
  });

  it('records no CapturedAt for the "0000:00:00 00:00:00" of a camera whose clock was never set', async () => {
    const tiff = fixture('exif.tiff');
    const at = Buffer.from(tiff).indexOf('2023:07:04 08:15:00');
    const unset = tiff.slice();
    unset.set(Buffer.from('0000:00:00 00:00:00'), at);
    const result = await inspect(stageInput(unset, 'image/tiff'));
    expect(result.attributes).toEqual({ ImageWidth: 100, ImageHeight: 60, CameraModel: 'Fixture Cam' });
  });

  it.each([
    ['AVIF', 'gradient.avif', 'image/avif'],
    ['HEIC', 'gradient.heic', 'image/heic'],
  ])(
    "reads a %s image's size from its ispe property (ISO/IEC 23008-12 6.5.3)",
    async (_format, name, type) => {
      // exiftool: 120x80.
      const result = await inspect(stageInput(fixture(name), type));
      expect(result.attributes).toEqual({ ImageWidth: 120, ImageHeight: 80 });
    },
  );

  it('goes by what content sniffing detected over the declared type', async () => {
    const png = sample('photo.png');
    const result = await inspect(stageInput(png, 'application/octet-stream', 'image/png'));
    expect(result.attributes).toEqual({ ImageWidth: 16, ImageHeight: 16 });
  });

  it('goes by the declared type (parameters and aliases aside) when sniffing detected nothing', async () => {
    const result = await inspect(stageInput(sample('camera.jpg'), 'image/JPG; q=0.9', null));
    expect(result.attributes).toMatchObject({ ImageWidth: 160, ImageHeight: 120 });
  });
});

describe('PDF', () => {
  it('reads a one-page PDF held whole in the sample, with no request (ISO 32000-1 7.5.2, 7.7.3.2)', async () => {
    const result = await inspect(stageInput(sample('invoice.pdf'), 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 1, PdfVersion: '1.4' });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('finds the page count from the trailer at the end: last 1024 bytes, xref table, catalog, page tree (ISO 32000-1 7.5.4, 7.5.5)', async () => {
    const pdf = fixture('classic-xref.pdf');
    expect(pdf.length).toBeGreaterThan(SAMPLE_BYTES);
    const result = await inspect(stageInput(pdf, 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 3, PdfVersion: '1.4' });
    expect(requestedRanges()[0]).toEqual([pdf.length - 1024, pdf.length - 1]);
  });

  it('follows a cross-reference stream into an object stream (PDF 1.5, ISO 32000-1 7.5.7, 7.5.8)', async () => {
    const result = await inspect(stageInput(fixture('object-streams.pdf'), 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 3, PdfVersion: '1.5' });
  });

  it('reads an incrementally updated PDF by its newest sections, following /Prev to the catalog (ISO 32000-1 7.5.6)', async () => {
    // pdfinfo: 4 pages; the update added a page and a new page tree root.
    const result = await inspect(stageInput(fixture('incremental-update.pdf'), 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 4, PdfVersion: '1.4' });
  });

  it('takes the page count of a linearized file (qpdf --linearize) from its first bytes, with no request (ISO 32000-1 F.2.2)', async () => {
    // pdfinfo: 3 pages, "Optimized: yes".
    const pdf = fixture('linearized.pdf');
    expect(pdf.length).toBeGreaterThan(SAMPLE_BYTES);
    const result = await inspect(stageInput(pdf, 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 3, PdfVersion: '1.4' });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('takes the page count of a linearized file from its first bytes, when /L matches the file size (ISO 32000-1 F.2.2)', async () => {
    const head =
      '%PDF-1.6\n1 0 obj\n<< /Linearized 1 /L 2000 /H [ 600 200 ] /O 4 /E 1900 /N 42 /T 1950 >>\nendobj\n';
    const linearized = new Uint8Array(Buffer.from(head.padEnd(2000, ' '), 'latin1'));
    const result = await inspect(stageInput(linearized, 'application/pdf'));
    expect(result.attributes).toEqual({ PageCount: 42, PdfVersion: '1.6' });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});

describe('audio and video', () => {
  it("reads a WAV's duration from its fmt and data chunks (RIFF WAVE: data size / byte rate)", async () => {
    // soxi: 800 samples at 8000 Hz.
    const result = await inspect(stageInput(sample('beep.wav'), 'audio/wav'));
    expect(result.attributes).toEqual({ DurationSeconds: 0.1 });
  });

  it('reads a compressed (IMA ADPCM) WAV duration from its fact chunk: sample count over sample rate', async () => {
    // ffprobe: 0.750000 s (6000 samples at 8000 Hz).
    const result = await inspect(stageInput(fixture('adpcm.wav'), 'audio/x-wav'));
    expect(result.attributes).toEqual({ DurationSeconds: 0.75 });
  });

  it("reads an MP3's duration from the frame count of its Info header (LAME/Xing VBR header)", async () => {
    // ffprobe and mediainfo: 2.063673 s, 79 frames of 576 samples at 22050 Hz.
    const result = await inspect(stageInput(sample('tone.mp3'), 'audio/mpeg'));
    expect(result.attributes).toEqual({ DurationSeconds: 2.064 });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('reads a constant bit rate MP3 with no Info header: its audio bytes over the bit rate (ISO/IEC 13818-3)', async () => {
    // ffprobe: 2.063750 s (8255 bytes at 32 kbit/s).
    const result = await inspect(stageInput(fixture('cbr-no-xing.mp3'), 'audio/mp3'));
    expect(result.attributes).toEqual({ DurationSeconds: 2.064 });
  });

  it("reads an MP4's duration from moov/mvhd (ISO/IEC 14496-12 8.2.2)", async () => {
    const result = await inspect(stageInput(sample('clip.mp4'), 'video/mp4'));
    expect(result.attributes).toEqual({ DurationSeconds: 1.5 });
  });

  it('reads a moov box at the end of the file with one ranged GET from its header on', async () => {
    const mp4 = fixture('moov-at-end.mp4');
    const moov = Buffer.from(mp4).indexOf('moov') - 4;
    expect(moov).toBeGreaterThan(SAMPLE_BYTES);
    const result = await inspect(stageInput(mp4, 'video/mp4'));
    expect(result.attributes).toEqual({ DurationSeconds: 2 });
    expect(requestedRanges()).toHaveLength(1);
    expect(requestedRanges()[0]?.[0]).toBe(moov);
  });

  /** An ISO BMFF box: 32-bit size, type, content. */
  const box = (type: string, ...content: Uint8Array[]) => {
    const body = Buffer.concat(content);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + body.length);
    header.write(type, 4, 'latin1');
    return new Uint8Array(Buffer.concat([header, body]));
  };
  const fullBox = (version: number, ...fields: Buffer[]) =>
    Buffer.concat([Buffer.from([version, 0, 0, 0]), ...fields]);
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const u64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    return b;
  };
  const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2', 'latin1'));

  it('reads a version 1 mvhd, with 64-bit times and duration (ISO/IEC 14496-12 8.2.2.2)', async () => {
    const mvhd = box('mvhd', fullBox(1, u64(0n), u64(0n), u32(90000), u64(90000n * 3600n * 5n + 45000n)));
    const mp4 = Buffer.concat([ftyp, box('moov', mvhd)]);
    const result = await inspect(stageInput(new Uint8Array(mp4), 'video/mp4'));
    expect(result.attributes).toEqual({ DurationSeconds: 18000.5 });
  });

  it('gives no duration, and no warning, for a fragmented MP4 whose mvhd says 0 (ISO/IEC 14496-12 8.8)', async () => {
    const mvhd = box('mvhd', fullBox(0, u32(0), u32(0), u32(1000), u32(0)));
    const mp4 = Buffer.concat([ftyp, box('moov', mvhd, box('mvex')), box('moof'), box('mdat')]);
    const result = await inspect(stageInput(new Uint8Array(mp4), 'video/mp4'));
    expect(result.attributes).toEqual({});
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('skips megabytes of media data: the moov after a 20 MB mdat costs one small read', async () => {
    const mp4 = fixture('moov-at-end.mp4');
    const mdat = Buffer.from(mp4).indexOf('mdat') - 4;
    const moov = Buffer.from(mp4).indexOf('moov') - 4;
    const padding = 20 * 1024 * 1024;
    // The same file with the mdat box grown by 20 MB of zeros.
    const big = new Uint8Array(mp4.length + padding);
    big.set(mp4.subarray(0, moov), 0);
    big.set(mp4.subarray(moov), moov + padding);
    new DataView(big.buffer).setUint32(mdat, moov - mdat + padding);
    const result = await inspect(stageInput(big, 'video/mp4'));
    expect(result.attributes).toEqual({ DurationSeconds: 2 });
    expect(requestedRanges()).toEqual([[moov + padding, expect.any(Number)]]);
    // From the moov header to the end of the file: the moov box, nothing of the mdat.
    expect(bytesRequested()).toBe(mp4.length - moov);
  });
});

describe('corrupt and truncated files', () => {
  it('gives no fields and one warning for a JPEG cut inside its EXIF segment, and succeeds', async () => {
    const result = await inspect(stageInput(fixture('truncated.jpg'), 'image/jpeg'));
    expect(result).toEqual({ stage: STAGE_NAME, attributes: {} });
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[1]).toMatchObject({
      mediaType: 'image/jpeg',
      reason: expect.any(String),
    });
  });

  it.each([
    ['a PNG cut before its IHDR ends', sample('photo.png').subarray(0, 20), 'image/png'],
    ['bytes that are no PNG', new Uint8Array(Buffer.from('not an image at all, just text')), 'image/png'],
    ['a WAV whose data chunk is longer than the object', sample('beep.wav').subarray(0, 200), 'audio/wav'],
    ['an MP4 cut inside its mdat box', fixture('moov-at-end.mp4').subarray(0, 3000), 'video/mp4'],
    ['an MP3 with no frame', new Uint8Array(4000).fill(0x20), 'audio/mpeg'],
    ['a PDF cut before its trailer', fixture('classic-xref.pdf').subarray(0, 5000), 'application/pdf'],
  ])('gives no fields and one warning for %s', async (_name, bytes, type) => {
    const result = await inspect(stageInput(bytes, type));
    expect(result.attributes).toEqual({});
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('does not fail the handler for a truncated file', async () => {
    await expect(handler(stageInput(fixture('truncated.jpg'), 'image/jpeg'))).resolves.toEqual({
      stage: STAGE_NAME,
      attributes: {},
    });
  });
});

describe('what it does not read', () => {
  it.each([
    ['text/csv', sample('sales 2026 é.csv')],
    ['application/zip', sample('bundle.zip')],
    ['application/json', sample('reading.json')],
  ])('gives no fields for %s, with no S3 request', async (type, bytes) => {
    await expect(inspect(stageInput(bytes, type))).resolves.toEqual({ stage: STAGE_NAME, attributes: {} });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('does not read an archived image, whose bytes GetObject cannot return (InvalidObjectState)', async () => {
    const input = { ...stageInput(fixture('exif-thumbnail.jpg'), 'image/jpeg'), sample: UNREAD_SAMPLE };
    input.description = { ...input.description, storageClass: 'DEEP_ARCHIVE' };
    await expect(inspect(input)).resolves.toEqual({ stage: STAGE_NAME, attributes: {} });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});

describe('bounded reads', () => {
  /** A JPEG whose frame header follows `count` APP2 segments of 65533 data bytes each. */
  function jpegBehindSegments(count: number): Uint8Array {
    const segment = 2 + 65535;
    const bytes = new Uint8Array(2 + count * segment + 9 + 2);
    bytes.set([0xff, 0xd8]);
    for (let i = 0; i < count; i += 1) bytes.set([0xff, 0xe2, 0xff, 0xff], 2 + i * segment);
    // SOF0: length 11... only the first fields matter here: P=8, Y=30, X=40.
    bytes.set([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 30, 0x00, 40], 2 + count * segment);
    return bytes;
  }

  it('skips an XMP APP1 segment without reading it (XMP Specification Part 3, 1.1.3)', async () => {
    const xmp = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0'), Buffer.alloc(60000, 0x20)]);
    const jpeg = new Uint8Array(
      Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe1, (xmp.length + 2) >> 8, (xmp.length + 2) & 0xff]),
        xmp,
        Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 30, 0x00, 40]),
        Buffer.alloc(200),
      ]),
    );
    const result = await inspect(stageInput(jpeg, 'image/jpeg'));
    expect(result.attributes).toEqual({ ImageWidth: 40, ImageHeight: 30 });
    expect(requestedRanges()).toEqual([[6 + xmp.length, expect.any(Number)]]);
  });

  it('reads only the segment headers of a JPEG with large segments before its frame header', async () => {
    const jpeg = jpegBehindSegments(4);
    const result = await inspect(stageInput(jpeg, 'image/jpeg'));
    expect(result.attributes).toEqual({ ImageWidth: 40, ImageHeight: 30 });
    expect(requestedRanges()).toHaveLength(4);
    expect(bytesRequested()).toBeLessThanOrEqual(4 * READ_AHEAD_BYTES);
  });

  it(`stops at ${MAX_REQUESTS_PER_OBJECT} requests and ${MAX_BYTES_PER_OBJECT} bytes, with no fields and a log line`, async () => {
    const jpeg = jpegBehindSegments(20);
    const result = await inspect(stageInput(jpeg, 'image/jpeg'));
    expect(result.attributes).toEqual({});
    expect(requestedRanges().length).toBeLessThanOrEqual(MAX_REQUESTS_PER_OBJECT);
    expect(bytesRequested()).toBeLessThanOrEqual(MAX_BYTES_PER_OBJECT);
    expect(log.info).toHaveBeenCalledWith(
      'media inspection stopped at its read limit',
      expect.objectContaining({ requests: MAX_REQUESTS_PER_OBJECT }),
    );
  });

  it('never asks for a range past the byte limit, however far a structure points', async () => {
    // A WebP whose EXIF chunk says it holds 300 KiB (WebP container specification, "Extended File Format").
    const webp = fixture('exif.webp');
    const at = Buffer.from(webp).indexOf('EXIF');
    const big = new Uint8Array(at + 8 + 300 * 1024);
    big.set(webp.subarray(0, at + 8));
    const view = new DataView(big.buffer);
    view.setUint32(4, big.length - 8, true);
    view.setUint32(at + 4, 300 * 1024, true);
    const result = await inspect(stageInput(big, 'image/webp'));
    expect(result.attributes).toEqual({});
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(log.info).toHaveBeenCalledWith('media inspection stopped at its read limit', expect.any(Object));
  });
});

describe('S3 errors propagate, typed for the workflow', () => {
  it(`a 412 (the object changed since it was described) is a SupersededError (If-Match, ${GET_OBJECT})`, async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    await expect(inspect(stageInput(fixture('exif-thumbnail.jpg'), 'image/jpeg'))).rejects.toBeInstanceOf(
      SupersededError,
    );
    expect(log.warn).not.toHaveBeenCalled();
  });

  it(`a 404 NoSuchKey (deleted meanwhile) is an ObjectNotFoundError (${GET_OBJECT})`, async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The specified key does not exist.'), {
        name: 'NoSuchKey',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    await expect(handler(stageInput(fixture('moov-at-end.mp4'), 'video/mp4'))).rejects.toMatchObject({
      name: 'ObjectNotFoundError',
    });
    await expect(inspect(stageInput(fixture('moov-at-end.mp4'), 'video/mp4'))).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
  });

  it('rejects input without a sample', async () => {
    const { sample: _sample, ...input } = stageInput(sample('photo.png'), 'image/png');
    await expect(handler(input)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
