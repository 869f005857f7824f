import { InvalidInputError } from '../../../functions/core/errors';
import { compareSequencers, padSequencer, SEQUENCER_WIDTH } from '../../../functions/core/sequencer';

describe('padSequencer', () => {
  it('left-pads with zeros to the fixed width and uppercases', () => {
    const padded = padSequencer('5aed6dcd90281e5');
    expect(padded).toHaveLength(SEQUENCER_WIDTH);
    expect(padded.endsWith('5AED6DCD90281E5')).toBe(true);
    expect(padded.startsWith('0'.repeat(SEQUENCER_WIDTH - 15))).toBe(true);
  });

  it.each(['', 'XYZ', '12 34', 'a'.repeat(SEQUENCER_WIDTH + 1)])(
    'rejects %j with the allowed form',
    (value) => {
      expect(() => padSequencer(value)).toThrow(InvalidInputError);
      expect(() => padSequencer(value)).toThrow(/expected 1 to 64 hexadecimal digits/);
    },
  );
});

describe('compareSequencers', () => {
  it('orders sequencers of different lengths by value, not by string', () => {
    // As strings "9" > "10"; padded, 0x10 is later.
    expect(compareSequencers('9', '10')).toBeLessThan(0);
    expect(compareSequencers('0055AED6DCD90281E5', '55AED6DCD90281E6')).toBeLessThan(0);
  });

  it('treats leading zeros and case as the same sequencer', () => {
    expect(compareSequencers('00ab', 'AB')).toBe(0);
  });

  it('says a later event is greater', () => {
    expect(compareSequencers('0055AED6DCD90281F0', '0055AED6DCD90281E5')).toBeGreaterThan(0);
  });

  it('stays ordered when compared as padded strings, as DynamoDB does', () => {
    const sequencers = ['FF', '100', '0F', 'A', '1000', '0100'];
    const sortedByValue = [...sequencers].sort((a, b) => Number.parseInt(a, 16) - Number.parseInt(b, 16));
    const sortedAsPaddedStrings = [...sequencers].sort((a, b) =>
      padSequencer(a) < padSequencer(b) ? -1 : 1,
    );
    expect(sortedAsPaddedStrings.map((s) => Number.parseInt(s, 16))).toEqual(
      sortedByValue.map((s) => Number.parseInt(s, 16)),
    );
  });
});
