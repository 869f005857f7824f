import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { checksumOf, compositeChecksum } from '../../../../local/s3/checksums';
import { decodeAwsChunked } from '../../../../local/s3/chunked';

/**
 * The checksums S3 stores (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html),
 * against the AWS SDK's own implementations and published check values.
 */
describe('checksums', () => {
  const inputs = ['', 'a', '123456789', 'x'.repeat(10_000)].map((text) => Buffer.from(text));

  it('CRC32C and CRC64NVME agree with the AWS SDK on every input', async () => {
    for (const input of inputs) {
      const crc32c = new Crc32cJs();
      crc32c.update(input);
      const crc64 = new Crc64NvmeJs();
      crc64.update(input);
      expect(checksumOf('CRC32C', input)).toBe(Buffer.from(await crc32c.digest()).toString('base64'));
      expect(checksumOf('CRC64NVME', input)).toBe(Buffer.from(await crc64.digest()).toString('base64'));
    }
  });

  it('gives the catalogued check values of "123456789" (CRC-32 cbf43926, CRC-32C e3069283, CRC-64/NVME ae8b14860a799888)', () => {
    const check = Buffer.from('123456789');
    expect(Buffer.from(checksumOf('CRC32', check), 'base64').toString('hex')).toBe('cbf43926');
    expect(Buffer.from(checksumOf('CRC32C', check), 'base64').toString('hex')).toBe('e3069283');
    expect(Buffer.from(checksumOf('CRC64NVME', check), 'base64').toString('hex')).toBe('ae8b14860a799888');
  });

  it("makes a composite checksum from the parts' digests, with the part count", () => {
    const parts = ['part one', 'part two'].map((text) => checksumOf('SHA256', Buffer.from(text)));
    const joined = Buffer.concat(parts.map((part) => Buffer.from(part, 'base64')));
    expect(compositeChecksum('SHA256', parts)).toBe(`${checksumOf('SHA256', joined)}-2`);
  });
});

describe('aws-chunked (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html)', () => {
  it('decodes signed chunks and reads the trailing checksum', () => {
    const body = Buffer.from(
      '5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n',
    );
    expect(decodeAwsChunked(body)).toEqual({
      body: Buffer.from('hello world'),
      trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' },
    });
  });

  it('refuses a body cut short', () => {
    expect(decodeAwsChunked(Buffer.from('a\r\nhello'))).toBeUndefined();
  });
});
