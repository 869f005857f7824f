import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MAX_BYTES_PER_OBJECT,
  MAX_REQUESTS_PER_OBJECT,
  MalformedMediaError,
  ObjectReader,
  READ_AHEAD_BYTES,
  ReadLimitError,
} from '../../../functions/inspect-media/object-reader';

const s3 = mockClient(S3Client);
const SIZE = 1024 * 1024;
/** The object: byte i is i mod 251, so any slice shows where it came from. */
const object = Uint8Array.from({ length: SIZE }, (_, i) => i % 251);
const SAMPLE = object.slice(0, 4096);

/** A ranged GetObject, answered as S3 does: up to the last byte there is (RFC 9110 14.1.2). */
function serve(content: Uint8Array) {
  s3.on(GetObjectCommand).callsFake(async (input: { Range?: string }) => {
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
    const bytes = content.slice(Number(first), Math.min(Number(last), content.length - 1) + 1);
    return { Body: { transformToByteArray: async () => bytes } as never };
  });
}

const ranges = () => s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range);
const readerOf = (size = SIZE, sample = SAMPLE) =>
  new ObjectReader(
    s3 as unknown as S3Client,
    { bucket: 'uploads', key: 'big.bin' },
    { eTag: 'abc', versionId: 'v1', size },
    sample,
  );

beforeEach(() => {
  s3.reset();
  serve(object);
});

describe('ObjectReader', () => {
  it('serves the sample without a request', async () => {
    const reader = readerOf();
    expect(await reader.read(100, 200)).toEqual(object.slice(100, 200));
    expect(ranges()).toEqual([]);
  });

  it('fetches past the sample from where the sample ends, with read-ahead, pinned to the version and ETag', async () => {
    const reader = readerOf();
    expect(await reader.read(4000, 4200)).toEqual(object.slice(4000, 4200));
    expect(ranges()).toEqual([`bytes=4096-${4096 + READ_AHEAD_BYTES - 1}`]);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: 'v1',
      IfMatch: '"abc"',
    });
    // The read-ahead serves the next read.
    expect(await reader.read(6000, 8000)).toEqual(object.slice(6000, 8000));
    expect(ranges()).toHaveLength(1);
  });

  it('reads a range at the end of the object, clipped to its size', async () => {
    const reader = readerOf();
    expect(await reader.read(SIZE - 100, SIZE + 100)).toEqual(object.slice(SIZE - 100));
    expect(ranges()).toEqual([`bytes=${SIZE - 100}-${SIZE - 1}`]);
  });

  it('joins adjacent reads, so a range spanning two of them needs no request', async () => {
    const reader = readerOf();
    await reader.read(20000, 20010);
    await reader.read(20000 + READ_AHEAD_BYTES, 20000 + READ_AHEAD_BYTES + 10);
    expect(await reader.read(20000, 20000 + 2 * READ_AHEAD_BYTES)).toEqual(
      object.slice(20000, 20000 + 2 * READ_AHEAD_BYTES),
    );
    expect(ranges()).toHaveLength(2);
  });

  it(`refuses a range that would pass ${MAX_BYTES_PER_OBJECT} bytes, before sending it`, async () => {
    const reader = readerOf();
    await expect(reader.read(10000, 10000 + MAX_BYTES_PER_OBJECT + 1)).rejects.toBeInstanceOf(ReadLimitError);
    expect(ranges()).toEqual([]);
  });

  it(`refuses a request past the ${MAX_REQUESTS_PER_OBJECT}th`, async () => {
    const reader = readerOf();
    for (let i = 0; i < MAX_REQUESTS_PER_OBJECT; i += 1)
      await reader.read(100000 * (i + 1), 100000 * (i + 1) + 4);
    await expect(reader.read(900000, 900004)).rejects.toBeInstanceOf(ReadLimitError);
    expect(ranges()).toHaveLength(MAX_REQUESTS_PER_OBJECT);
  });

  it('counts the bytes fetched, never more than the limit', async () => {
    const reader = readerOf();
    await reader.read(10000, 10000 + MAX_BYTES_PER_OBJECT - 100);
    expect(reader.bytesFetched).toBeLessThanOrEqual(MAX_BYTES_PER_OBJECT);
    await expect(reader.read(600000, 600200)).rejects.toBeInstanceOf(ReadLimitError);
  });

  it('reports an object shorter than described as malformed', async () => {
    serve(object.slice(0, 5000));
    const reader = readerOf();
    await expect(reader.read(4500, 6000)).rejects.toBeInstanceOf(MalformedMediaError);
  });

  it('answers nothing for a range outside the object, with no request', async () => {
    const reader = readerOf(4096);
    expect(await reader.read(5000, 6000)).toEqual(new Uint8Array());
    expect(ranges()).toEqual([]);
  });
});
