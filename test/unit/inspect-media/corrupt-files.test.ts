import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, type GetObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { toSample } from '../../../functions/core/enrichment';
import { inspectMedia } from '../../../functions/inspect-media/inspect-media';
import {
  MAX_BYTES_PER_OBJECT,
  MAX_REQUESTS_PER_OBJECT,
} from '../../../functions/inspect-media/object-reader';
import { objectDescription, objectEvent } from '../../support/fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heic: 'image/heic',
  pdf: 'application/pdf',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};
const files = [join(ROOT, 'test', 'fixtures', 'media'), join(ROOT, 'local', 'samples')].flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => TYPES[name.split('.').pop() ?? ''] !== undefined)
    .map((name) => ({ name, path: join(dir, name), type: TYPES[name.split('.').pop() ?? ''] as string })),
);

/** A seeded generator (a linear congruential one), so that every run damages the files the same way. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const s3 = mockClient(S3Client);
let stored: Uint8Array = new Uint8Array();
let served = 0;
beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
    const bytes = stored.slice(Number(first), Number(last) + 1);
    served += bytes.length;
    return { Body: { transformToByteArray: async () => bytes } as never };
  });
});

describe('damaged files never fail the stage', () => {
  it.each(files)(
    '$name, cut short and with bytes overwritten, 40 ways: fields, or none and one log line; within the read limits',
    async ({ name, path, type }) => {
      const original = new Uint8Array(readFileSync(path));
      const next = random(name.length * 7919);
      for (let variant = 0; variant < 40; variant += 1) {
        const bytes =
          variant % 3 === 0 ? original.slice(0, Math.floor(next() * original.length)) : original.slice();
        for (let flip = 0; flip < 1 + (variant % 8) && bytes.length > 0; flip += 1)
          bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        stored = bytes;
        s3.resetHistory();
        served = 0;
        const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
        const result = await inspectMedia(
          {
            object: objectEvent({ size: bytes.length }),
            description: objectDescription({ contentType: type, size: bytes.length }),
            sample: toSample(bytes, bytes.length),
            enrichment: {},
          },
          { s3: s3 as unknown as S3Client, log },
        );
        // Either fields (the damage missed the headers) and no log line, or none and at most one
        // (none for an empty object, or a header that says "unknown duration").
        const lines = log.info.mock.calls.length + log.warn.mock.calls.length;
        expect(lines).toBeLessThanOrEqual(Object.keys(result.attributes).length > 0 ? 0 : 1);
        expect(log.error).not.toHaveBeenCalled();
        for (const value of Object.values(result.attributes))
          expect(typeof value === 'string' || Number.isFinite(value)).toBe(true);
        expect(s3.commandCalls(GetObjectCommand).length).toBeLessThanOrEqual(MAX_REQUESTS_PER_OBJECT);
        expect(served).toBeLessThanOrEqual(MAX_BYTES_PER_OBJECT);
      }
    },
  );
});
