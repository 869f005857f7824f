import { InvalidInputError } from './errors';

/**
 * S3 object keys as they travel in event notifications.
 *
 * S3 form-encodes keys in events (`application/x-www-form-urlencoded`): a space
 * becomes `+`, a literal `+` becomes `%2B`, other reserved and non-ASCII
 * characters become UTF-8 percent-escapes, and `/` is left as it is.
 * Decode once, at the edge (the starter); everything downstream uses real keys.
 */

/** S3 allows keys of up to 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/**
 * Decodes a key from an S3 event record.
 * @throws InvalidInputError when the key has a malformed percent-escape or is not UTF-8.
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (error) {
    throw new InvalidInputError(
      `Object key "${encoded}" is not a valid URL-encoded key (malformed percent-escape or invalid UTF-8)`,
      { cause: error },
    );
  }
}

// Characters S3 leaves as they are in event keys (besides '/').
const UNRESERVED = /[A-Za-z0-9\-_.*/]/;

/**
 * Encodes a key the way S3 does in event notifications. Used where this
 * project produces events itself (the local runtime, test fixtures).
 */
export function encodeS3Key(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (UNRESERVED.test(char)) out += char;
    else {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}
