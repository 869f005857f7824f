import { InvalidInputError } from '../../../functions/core/errors';
import { decodeS3Key, encodeS3Key, MAX_KEY_BYTES } from '../../../functions/core/keys';
import { fixture } from '../../support/fixtures';

const { cases } = fixture<{ cases: { key: string; encoded: string }[] }>('keys.json');

describe('decodeS3Key', () => {
  it.each(cases)('decodes $encoded to $key', ({ key, encoded }) => {
    expect(decodeS3Key(encoded)).toBe(key);
  });

  it('decodes a 1,024-byte key', () => {
    const key = `${'é'.repeat(300)}/${'x'.repeat(MAX_KEY_BYTES - 601)}`;
    expect(Buffer.byteLength(key)).toBe(MAX_KEY_BYTES);
    expect(decodeS3Key(encodeS3Key(key))).toBe(key);
  });

  it('fails with the key in the message when a percent-escape is malformed', () => {
    expect(() => decodeS3Key('bad%zzkey')).toThrow(InvalidInputError);
    expect(() => decodeS3Key('bad%zzkey')).toThrow(/"bad%zzkey" is not a valid URL-encoded key/);
  });

  it('fails when the escapes are not UTF-8', () => {
    expect(() => decodeS3Key('latin%E9')).toThrow(InvalidInputError);
  });
});

describe('encodeS3Key', () => {
  it.each(cases)('encodes $key as S3 does', ({ key, encoded }) => {
    expect(encodeS3Key(key)).toBe(encoded);
  });
});
