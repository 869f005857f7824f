import { eventId, executionName, MAX_EXECUTION_NAME_LENGTH } from '../../../functions/core/execution-name';
import { objectEvent } from '../../support/fixtures';

const ALLOWED = /^[A-Za-z0-9_-]+$/;

describe('executionName', () => {
  it('starts with a readable form of the key and ends with the event id', () => {
    const event = objectEvent({ key: 'reports/q3 2026 (final).csv' });
    expect(executionName(event)).toBe(`q3_2026_final_csv-${eventId(event)}`);
  });

  it('is the same for the same event delivered twice', () => {
    expect(executionName(objectEvent())).toBe(executionName(objectEvent()));
  });

  it.each([
    ['bucket', { bucket: 'other' }],
    ['key', { key: 'reports/q4.csv' }],
    ['version', { versionId: 'v2' }],
    ['sequencer', { sequencer: '0055AED6DCD90281E6' }],
  ])('differs when the %s differs', (_field, change) => {
    expect(executionName(objectEvent(change))).not.toBe(executionName(objectEvent()));
  });

  it('ignores the case of the sequencer', () => {
    expect(executionName(objectEvent({ sequencer: 'abc' }))).toBe(
      executionName(objectEvent({ sequencer: 'ABC' })),
    );
  });

  it.each([
    'a'.repeat(1024),
    `${'日本語/'.repeat(20)}ファイル.txt`,
    'emoji 🎉🎉🎉.png',
    'folder/',
    '////',
    '!!!.txt',
    `deep/${'x'.repeat(200)} y.csv`,
  ])('stays within 80 allowed characters for %j', (key) => {
    const name = executionName(objectEvent({ key }));
    expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME_LENGTH);
    expect(name).toMatch(ALLOWED);
  });

  it('falls back to "object" when the key has no readable characters', () => {
    expect(executionName(objectEvent({ key: '日本語.文書' }))).toMatch(/^object-[0-9a-f]{32}$/);
  });
});
