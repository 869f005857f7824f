import { eventMatches, eventRecord, wants } from '../../../../local/edge/s3/notifications';

/**
 * Which destinations of a bucket's notification configuration an event goes
 * to, and the record it gets: event types with the `*` wildcard
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html),
 * prefix and suffix filters on the key
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html),
 * and the record's structure
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 */

describe('eventMatches', () => {
  it('s3:ObjectCreated:* matches every kind of creation, and nothing else', () => {
    for (const name of ['Put', 'Post', 'Copy', 'CompleteMultipartUpload']) {
      expect(eventMatches('s3:ObjectCreated:*', `ObjectCreated:${name}`)).toBe(true);
    }
    expect(eventMatches('s3:ObjectCreated:*', 'ObjectRemoved:Delete')).toBe(false);
  });

  it('a named event type matches only that type', () => {
    expect(eventMatches('s3:ObjectCreated:Put', 'ObjectCreated:Put')).toBe(true);
    expect(eventMatches('s3:ObjectCreated:Put', 'ObjectCreated:Copy')).toBe(false);
    expect(eventMatches('s3:ObjectRemoved:Delete', 'ObjectRemoved:Delete')).toBe(true);
  });
});

describe('wants', () => {
  const csvUnderIncoming = {
    id: 'csv',
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    events: ['s3:ObjectCreated:*'],
    prefix: 'incoming/',
    suffix: '.csv',
  };

  it('takes a key with the prefix and the suffix', () => {
    expect(wants(csvUnderIncoming, 'ObjectCreated:Put', 'incoming/2024/report.csv')).toBe(true);
  });

  it('leaves a key without the prefix, without the suffix, or an event type not configured', () => {
    expect(wants(csvUnderIncoming, 'ObjectCreated:Put', 'archive/report.csv')).toBe(false);
    expect(wants(csvUnderIncoming, 'ObjectCreated:Put', 'incoming/report.txt')).toBe(false);
    expect(wants(csvUnderIncoming, 'ObjectRemoved:Delete', 'incoming/report.csv')).toBe(false);
  });

  it('takes every key when there is no filter', () => {
    expect(
      wants({ ...csvUnderIncoming, prefix: undefined, suffix: undefined }, 'ObjectCreated:Copy', 'x'),
    ).toBe(true);
  });
});

describe('eventRecord', () => {
  it('has the documented structure of a version 2.1 record', () => {
    const record = eventRecord({
      region: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      bucket: 'photos',
      object: { key: 'a+b.jpg', size: 3, eTag: 'abc', sequencer: '0055AED6DCD90281E5' },
      configurationId: 'all',
      requestId: 'C3D13FE58DE4C810',
      sourceIPAddress: '127.0.0.1',
    });
    expect(record).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'all',
        bucket: {
          name: 'photos',
          ownerIdentity: { principalId: expect.any(String) },
          arn: 'arn:aws:s3:::photos',
        },
        object: { key: 'a+b.jpg', size: 3, eTag: 'abc', sequencer: '0055AED6DCD90281E5' },
      },
    });
  });
});
