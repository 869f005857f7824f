import { latin1, roundSeconds, u16le, u32be, u32le } from './bytes';
import type { MediaAttributes } from './media';
import { MalformedMediaError, type ObjectReader } from './object-reader';
import { riffChunks } from './riff';

/** WAVE format tags whose `data` size over the byte rate is the duration (PCM, IEEE float, extensible). */
const UNCOMPRESSED = new Set([0x0001, 0x0003, 0xfffe]);

/**
 * A WAV file's duration from its `fmt ` and `data` chunk headers: the data's
 * size over the byte rate, or for compressed formats the `fact` chunk's sample
 * count over the sample rate (Microsoft "Multimedia Programming Interface and
 * Data Specifications 1.0", WAVE format). Hand-written: it is three chunk
 * headers, and no small library reads them from ranges.
 */
export async function inspectWav(reader: ObjectReader): Promise<MediaAttributes> {
  const head = await reader.read(0, 12);
  if (latin1(head, 8, 12) !== 'WAVE') throw new MalformedMediaError('no WAVE form type');
  let format: { tag: number; sampleRate: number; byteRate: number } | undefined;
  let factSamples: number | undefined;
  let dataSize: number | undefined;
  for await (const chunk of riffChunks(reader)) {
    if (chunk.id === 'fmt ') {
      const fmt = await reader.read(chunk.start, chunk.start + 16);
      format = { tag: u16le(fmt, 0), sampleRate: u32le(fmt, 4), byteRate: u32le(fmt, 8) };
    } else if (chunk.id === 'fact') {
      factSamples = u32le(await reader.read(chunk.start, chunk.start + 4), 0);
    } else if (chunk.id === 'data') {
      // 0xFFFFFFFF: a stream whose length was not known when the header was written.
      if (chunk.size === 0xffffffff) return {};
      if (chunk.start + chunk.size > reader.size)
        throw new MalformedMediaError(
          `WAV data chunk of ${chunk.size} bytes runs past the end of the object`,
        );
      dataSize = chunk.size;
      break;
    }
  }
  if (!format || dataSize === undefined) throw new MalformedMediaError('WAV without fmt and data chunks');
  const seconds =
    !UNCOMPRESSED.has(format.tag) && factSamples !== undefined
      ? factSamples / format.sampleRate
      : dataSize / format.byteRate;
  const duration = roundSeconds(seconds);
  return duration === undefined ? {} : { DurationSeconds: duration };
}

// MPEG-1/2 audio frame header tables (ISO/IEC 11172-3 2.4.2.3, ISO/IEC 13818-3), kbit/s and Hz.
const BITRATES: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, readonly number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};

interface MpegFrame {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrate: number;
  sampleRate: number;
  samplesPerFrame: number;
  mono: boolean;
  length: number;
}

/** The MPEG audio frame header at `offset`, if one is there. */
function frameAt(bytes: Uint8Array, offset: number): MpegFrame | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const [b0, b1, b2, b3] = bytes.subarray(offset, offset + 4) as unknown as [number, number, number, number];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = ({ 0: 2.5, 2: 2, 3: 1 } as const)[((b1 >> 3) & 3) as 0 | 2 | 3];
  const layer = ({ 1: 3, 2: 2, 3: 1 } as const)[((b1 >> 1) & 3) as 1 | 2 | 3];
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (!version || !layer || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrate = (BITRATES[`${version === 1 ? 1 : 2}-${layer}`]?.[bitrateIndex] ?? 0) * 1000;
  const sampleRate = SAMPLE_RATES[version]?.[rateIndex] ?? 0;
  const padding = (b2 >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor((samplesPerFrame / 8) * (bitrate / sampleRate)) + padding;
  return { version, layer, bitrate, sampleRate, samplesPerFrame, mono: b3 >> 6 === 3, length };
}

/** How far past the ID3v2 tag the first frame is looked for. */
const MP3_SCAN_BYTES = 4096;
/** Enough for the largest frame (MPEG-1 layer II at 384 kbit/s, 32 kHz: 1728 bytes) and the next header. */
const MP3_MIN_WINDOW = 2048;

/**
 * An MP3's duration: the first frame (two consecutive valid frame headers, past
 * any ID3v2 tag, whose size is in its header: id3.org "ID3 tag version 2.4.0 -
 * Main Structure" 3.1), then the frame count of its Xing/Info or VBRI header
 * times the samples per frame; with neither, a constant bit rate is assumed and
 * the duration is the audio's size over the bit rate. Hand-written: the one
 * well-kept library that reads this (music-metadata) would add about 230 KB to
 * the bundle for one number.
 */
export async function inspectMp3(reader: ObjectReader): Promise<MediaAttributes> {
  const head = await reader.read(0, 10);
  let start = 0;
  if (latin1(head, 0, 3) === 'ID3' && head.length === 10) {
    const size =
      (((head[6] ?? 0) & 0x7f) << 21) |
      (((head[7] ?? 0) & 0x7f) << 14) |
      (((head[8] ?? 0) & 0x7f) << 7) |
      ((head[9] ?? 0) & 0x7f);
    start = 10 + size + ((head[5] ?? 0) & 0x10 ? 10 : 0);
  }
  // The bytes already held when they are enough for a frame and the next header; else a fresh read.
  const held = reader.heldFrom(start);
  const window = await reader.read(start, start + (held >= MP3_MIN_WINDOW ? held : MP3_SCAN_BYTES));
  for (let offset = 0; offset + 4 <= window.length; offset += 1) {
    const frame = frameAt(window, offset);
    if (!frame) continue;
    // A second header where the first says the next frame starts (or the end of the object) confirms the sync.
    const next = start + offset + frame.length;
    if (next < reader.size && !frameAt(await reader.read(next, next + 4), 0)) continue;
    const frames = vbrFrameCount(window, offset, frame);
    const seconds =
      frames !== undefined
        ? (frames * frame.samplesPerFrame) / frame.sampleRate
        : ((reader.size - start - offset) * 8) / frame.bitrate;
    const duration = roundSeconds(seconds);
    return duration === undefined ? {} : { DurationSeconds: duration };
  }
  throw new MalformedMediaError('no MPEG audio frame');
}

/**
 * The frame count of a Xing/Info header (in the first frame, after the side
 * information) or a VBRI header (32 bytes after the frame header), when present.
 */
function vbrFrameCount(bytes: Uint8Array, offset: number, frame: MpegFrame): number | undefined {
  if (frame.layer !== 3) return undefined;
  const sideInformation = frame.version === 1 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
  const xing = offset + 4 + sideInformation;
  const tag = latin1(bytes, xing, xing + 4);
  if ((tag === 'Xing' || tag === 'Info') && xing + 12 <= bytes.length) {
    const flags = u32be(bytes, xing + 4);
    return flags & 1 ? u32be(bytes, xing + 8) : undefined;
  }
  const vbri = offset + 4 + 32;
  if (latin1(bytes, vbri, vbri + 4) === 'VBRI' && vbri + 18 <= bytes.length) return u32be(bytes, vbri + 14);
  return undefined;
}
