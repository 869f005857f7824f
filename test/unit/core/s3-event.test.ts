import { InvalidInputError } from '../../../functions/core/errors';
import type { ObjectEvent } from '../../../functions/core/object-event';
import { normalizeETag, parseNotificationBody } from '../../../functions/core/s3-event';
import { fixture, fixtureText } from '../../support/fixtures';

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
        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
        requester: 'AWS:AIDAEXAMPLE',
        sourceIpAddress: '203.0.113.10',
        requestId: 'C3D13FE58DE4C810',
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

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectsfromVersioningSuspendedBuckets.html:
  // the null version can be deleted, or hidden by a null delete marker, while other versions remain.
  it('reads a delete marker as removed and keeps its "null" version id (a removal must look at what is current)', () => {
    const [event] = events('object-removed-delete-marker.json');
    expect(event).toMatchObject({
      eventType: 'removed',
      eventName: 'ObjectRemoved:DeleteMarkerCreated',
      versionId: 'null',
    });
  });

  it('drops the "null" version id of a created event: the object is described as it is now', () => {
    const body = fixtureText('events/object-created-put.json').replace(
      '"sequencer"',
      '"versionId": "null", "sequencer"',
    );
    const parsed = parseNotificationBody(body) as { events: ObjectEvent[] };
    expect(parsed.events[0]).not.toHaveProperty('versionId');
  });

  it('accepts a JSON null version id (an unversioned bucket)', () => {
    const body = fixtureText('events/object-created-put.json').replace(
      '"sequencer"',
      '"versionId": null, "sequencer"',
    );
    expect((parseNotificationBody(body) as { events: ObjectEvent[] }).events[0]).not.toHaveProperty(
      'versionId',
    );
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
      /Records\[0\]\.eventName: expected ObjectCreated:\*, ObjectRemoved:Delete\|DeleteMarkerCreated, .* \(other event types are not subscribed\)/,
    );
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html:
  // the sequencer is "only used with PUTs and DELETEs".
  it('reads metadata events (tags, Lifecycle transition, restore), which come without a sequencer', () => {
    const record = (eventName: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        Records: [
          {
            ...fixture<{ Records: Record<string, unknown>[] }>('events/object-created-put.json').Records[0],
            eventVersion: '2.3',
            eventName,
            s3: { bucket: { name: 'uploads' }, object: { key: 'a/b.txt', eTag: 'aa', size: 2 } },
            ...extra,
          },
        ],
      });
    const [tagging] = (parseNotificationBody(record('ObjectTagging:Put')) as { events: ObjectEvent[] })
      .events;
    expect(tagging).toMatchObject({ eventType: 'updated', eventName: 'ObjectTagging:Put' });
    expect(tagging).not.toHaveProperty('sequencer');
    const [transition] = (
      parseNotificationBody(
        record('LifecycleTransition', {
          lifecycleEventData: { transitionEventData: { destinationStorageClass: 'GLACIER' } },
        }),
      ) as { events: ObjectEvent[] }
    ).events;
    expect(transition).toMatchObject({ eventType: 'updated', destinationStorageClass: 'GLACIER' });
    const [restored] = (
      parseNotificationBody(
        record('ObjectRestore:Completed', {
          glacierEventData: {
            restoreEventData: { lifecycleRestorationExpiryTime: '2026-12-01T00:00:00.000Z' },
          },
        }),
      ) as { events: ObjectEvent[] }
    ).events;
    expect(restored).toMatchObject({ eventType: 'updated', restoreExpiryTime: '2026-12-01T00:00:00.000Z' });
    expect(() => parseNotificationBody(record('ObjectCreated:Put'))).toThrow(
      /Records\[0\]\.s3\.object\.sequencer: required for ObjectCreated:Put/,
    );
  });

  it('reads Lifecycle expirations as removals (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configure-notification.html)', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventVersion: '2.3',
          eventSource: 'aws:s3',
          awsRegion: 'us-west-2',
          eventTime: '1970-01-01T00:00:00.000Z',
          eventName: 'LifecycleExpiration:Delete',
          userIdentity: { principalId: 's3.amazonaws.com' },
          requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
          responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810' },
          s3: {
            bucket: { name: 'mybucket' },
            object: { key: 'expiration/delete', sequencer: '0055AED6DCD90281E5' },
          },
        },
      ],
    });
    expect((parseNotificationBody(body) as { events: ObjectEvent[] }).events[0]).toMatchObject({
      eventType: 'removed',
      eventName: 'LifecycleExpiration:Delete',
      requester: 's3.amazonaws.com',
    });
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
