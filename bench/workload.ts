import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The objects a benchmark run uploads: mixed sizes from 0 B to a few MB,
 * real file headers (so content sniffing and media inspection have work),
 * awkward keys. The same seed gives the same objects, so runs compare.
 */
export interface BenchObject {
  key: string;
  body: Buffer;
  contentType: string;
}

const SAMPLES = join(__dirname, '..', 'local', 'samples');
const KINDS = [
  { file: 'photo.png', contentType: 'image/png', extension: 'png' },
  { file: 'invoice.pdf', contentType: 'application/pdf', extension: 'pdf' },
  { file: 'reading.json', contentType: 'application/json', extension: 'json' },
  { file: 'sales 2026 é.csv', contentType: 'text/csv', extension: 'csv' },
  { file: 'bundle.zip', contentType: 'application/zip', extension: 'zip' },
  { file: 'README.txt', contentType: 'text/plain', extension: 'txt' },
  // Media, for the media inspection stage (EXIF, MP4 and MP3 headers); cut short when the size is smaller.
  { file: 'camera.jpg', contentType: 'image/jpeg', extension: 'jpg' },
  { file: 'clip.mp4', contentType: 'video/mp4', extension: 'mp4' },
  { file: 'tone.mp3', contentType: 'audio/mpeg', extension: 'mp3' },
] as const;

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sizes: 5% empty, 40% under 1 KB, 38% under 64 KB, 15% under 512 KB, 2% of 1 to 3 MB. */
function sizeOf(roll: number, next: () => number): number {
  if (roll < 0.05) return 0;
  if (roll < 0.45) return 100 + Math.floor(next() * 900);
  if (roll < 0.83) return 1024 + Math.floor(next() * 63 * 1024);
  if (roll < 0.98) return 64 * 1024 + Math.floor(next() * 448 * 1024);
  return 1024 * 1024 + Math.floor(next() * 2 * 1024 * 1024);
}

/** An awkward key now and then: spaces, unicode, '+', '%', deep and long paths. */
function keyOf(prefix: string, index: number, extension: string): string {
  const name = String(index).padStart(5, '0');
  if (index % 7 === 0) return `${prefix}/reports 2026/café ${name}.${extension}`;
  if (index % 11 === 0) return `${prefix}/a+b/${name}+plus.${extension}`;
  if (index % 13 === 0) return `${prefix}/100%/${name}.${extension}`;
  if (index % 17 === 0) return `${prefix}/${'deep/'.repeat(30)}${name}.${extension}`;
  return `${prefix}/${name}.${extension}`;
}

export function workload(prefix: string, count: number, seed = 1): BenchObject[] {
  const next = random(seed);
  const headers = KINDS.map((kind) => readFileSync(join(SAMPLES, kind.file)));
  return Array.from({ length: count }, (_, index) => {
    const kindIndex = Math.floor(next() * KINDS.length);
    const kind = KINDS[kindIndex] ?? KINDS[0];
    const size = sizeOf(next(), next);
    const body = Buffer.alloc(size);
    const header = headers[kindIndex] ?? Buffer.alloc(0);
    header.copy(body, 0, 0, Math.min(header.length, size));
    for (let offset = header.length; offset < size; offset += 1)
      body[offset] = 32 + ((offset * 7 + index) % 90);
    return { key: keyOf(prefix, index, kind.extension), body, contentType: kind.contentType };
  });
}
