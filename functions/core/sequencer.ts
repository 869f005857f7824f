import { InvalidInputError } from './errors';

/**
 * S3 sequencers order the events of one key: a hexadecimal string of varying
 * length, where (after left-padding to equal length) a greater value is a
 * later event. They are only comparable for the same bucket and key.
 */

/**
 * Width sequencers are padded to before they are stored, so that DynamoDB's
 * string comparison in a condition expression orders them correctly.
 * S3's sequencers are 16 to 20 digits today; 64 leaves ample headroom.
 */
export const SEQUENCER_WIDTH = 64;

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * Left-pads a sequencer with zeros to {@link SEQUENCER_WIDTH} and uppercases it.
 * @throws InvalidInputError when it is not hexadecimal or is longer than the width.
 */
export function padSequencer(sequencer: string): string {
  if (!HEX.test(sequencer) || sequencer.length > SEQUENCER_WIDTH) {
    throw new InvalidInputError(
      `Sequencer "${sequencer}" is not valid: expected 1 to ${SEQUENCER_WIDTH} hexadecimal digits`,
    );
  }
  return sequencer.toUpperCase().padStart(SEQUENCER_WIDTH, '0');
}

/** Compares two sequencers of the same key: negative if `a` is earlier, 0 if equal, positive if later. */
export function compareSequencers(a: string, b: string): number {
  const left = padSequencer(a);
  const right = padSequencer(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
