import { InvalidInputError } from '../../../functions/core/errors';
import { normalizeETag, parseNotificationBody } from '../../../functions/core/s3-event';
import { fixtureText } from '../../support/fixtures';

function events(fixtureName: string) {
  const parsed = parseNotificationBody(fixtureText(`events/${fixtureName}`));
  if (parsed.kind !== 'events') throw new Error(`expected events, got ${parsed.kind}`);
  return parsed.events;
}

describe('parseNotificationBody', () => {
  it('normalizes an ObjectCreated:Put record: decoded key, event type, unquoted ETag', () => {
    expect(events('object-created-put.json')).toEqual([
      {
        bucket: 'uploads',
        key: 'reports/q3 2026 (final).csv',
        eventName: 'ObjectCreated:Put',
        eventType: 'created',
        eventTime: '2026-11-25T10:15:30.123Z',
        sequencer: '0055AED6DCD90281E5',
        size: 1024,
        eTag: 'd41d8cd98f00b204e9800998ecf8427e',
        region: 'eu-west-1',
      },
    ]);
  });

  it('keeps the version id of a versioned bucket', () => {
    expect(events('object-created-versioned.json')[0]?.versionId).toBe(
      '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo',
    );
  });

  it('keeps a multipart ETag with its part count', () => {
    expect(events('object-created-multipart.json')[0]).toMatchObject({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      key: 'backups/db dump.tar.gz',
      eTag: '9b2cf535f27731c974343645a3985328-3',
    });
  });

  it('reads ObjectRemoved:Delete as a removed event without size or ETag', () => {
    const [event] = events('object-removed-delete.json');
    expect(event).toMatchObject({ eventType: 'removed', eventName: 'ObjectRemoved:Delete' });
    expect(event).not.toHaveProperty('size');
    expect(event).not.toHaveProperty('eTag');
  });

  it('reads a delete marker as removed and drops the "null" version id', () => {
    const [event] = events('object-removed-delete-marker.json');
    expect(event).toMatchObject({ eventType: 'removed', eventName: 'ObjectRemoved:DeleteMarkerCreated' });
    expect(event).not.toHaveProperty('versionId');
  });

  it('accepts later 2.x event versions with fields it does not know', () => {
    expect(events('event-version-2-3-extra-fields.json')[0]).toMatchObject({
      eventName: 'ObjectCreated:Copy',
    });
  });

  it('recognizes the s3:TestEvent', () => {
    expect(parseNotificationBody(fixtureText('events/s3-test-event.json'))).toEqual({
      kind: 'test',
      bucket: 'uploads',
    });
  });

  it('unwraps an S3 notification delivered through SNS', () => {
    const envelope = JSON.stringify({
      Type: 'Notification',
      Message: fixtureText('events/object-created-put.json'),
    });
    expect(parseNotificationBody(envelope)).toMatchObject({
      kind: 'events',
      events: [{ key: 'reports/q3 2026 (final).csv' }],
    });
  });

  it('fails on a body that is not JSON, quoting it', () => {
    expect(() => parseNotificationBody('this is not json')).toThrow(InvalidInputError);
    expect(() => parseNotificationBody('this is not json')).toThrow(
      /not JSON \(received "this is not json"\)/,
    );
  });

  it('fails on JSON that is not an S3 notification', () => {
    expect(() => parseNotificationBody('{"hello":"world"}')).toThrow(
      /expected \{"Records": \[\.\.\.\]\} or an s3:TestEvent/,
    );
  });

  it('names the missing field of the record', () => {
    expect(() => parseNotificationBody(fixtureText('events/malformed-missing-sequencer.json'))).toThrow(
      /Records\[0\]\.s3\.object\.sequencer: /,
    );
  });

  it('rejects event types that are not subscribed, saying which are', () => {
    expect(() => parseNotificationBody(fixtureText('events/unsupported-event-type.json'))).toThrow(
      /Records\[0\]\.eventName: expected an ObjectCreated:\* or ObjectRemoved:\* event/,
    );
  });

  it('rejects event version 1.x', () => {
    const body = fixtureText('events/object-created-put.json').replace('"2.1"', '"1.0"');
    expect(() => parseNotificationBody(body)).toThrow(/eventVersion: expected an S3 event version 2.x/);
  });

  it('rejects an empty Records array', () => {
    expect(() => parseNotificationBody('{"Records":[]}')).toThrow(/Records: expected at least one record/);
  });
});

describe('normalizeETag', () => {
  it('strips the quotes HeadObject returns', () => {
    expect(normalizeETag('"abc-2"')).toBe('abc-2');
    expect(normalizeETag('abc')).toBe('abc');
  });
});
