import { SUBSCRIBED_EVENT_TYPES } from '../../../functions/core/names';
import {
  eventTypesOverlap,
  findOverlaps,
  type NotificationRule,
  plannedRules,
  rulesOf,
} from '../../../tools/preflight/overlap';

/**
 * S3's documented rule: configurations of one bucket may not share an event
 * type with overlapping prefixes, overlapping suffixes, or a prefix and a
 * suffix that overlap
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html).
 */
const rule = (events: string[], filter: { prefix?: string; suffix?: string } = {}): NotificationRule => ({
  destination: 'arn:aws:sqs:eu-west-1:123456789012:other',
  events,
  ...filter,
});
const ours = (filter: { prefix?: string; suffix?: string } = {}) =>
  plannedRules({ ...filter, recordDeletes: true });

describe('event types', () => {
  it('overlap when equal, or when one is the wildcard of the other family', () => {
    expect(eventTypesOverlap('s3:ObjectCreated:*', 's3:ObjectCreated:*')).toBe(true);
    expect(eventTypesOverlap('s3:ObjectCreated:Put', 's3:ObjectCreated:*')).toBe(true);
    expect(eventTypesOverlap('s3:ObjectCreated:*', 's3:ObjectCreated:CompleteMultipartUpload')).toBe(true);
    expect(eventTypesOverlap('s3:ObjectRemoved:DeleteMarkerCreated', 's3:ObjectRemoved:*')).toBe(true);
  });

  it('do not overlap across families, or between two members of one family', () => {
    expect(eventTypesOverlap('s3:ObjectCreated:*', 's3:ObjectRemoved:*')).toBe(false);
    expect(eventTypesOverlap('s3:ObjectCreated:Put', 's3:ObjectCreated:Copy')).toBe(false);
    expect(eventTypesOverlap('s3:ObjectRestore:*', 's3:ObjectCreated:*')).toBe(false);
    expect(eventTypesOverlap('s3:ObjectTagging:*', 's3:ObjectCreated:*')).toBe(false);
  });
});

describe('overlapping configurations', () => {
  it('an existing rule with no filter overlaps any filter of ours on a shared event type', () => {
    expect(findOverlaps([rule(['s3:ObjectCreated:Put'])], ours({ prefix: 'incoming/' }))).toHaveLength(1);
  });

  it('overlapping prefixes: one starts with the other', () => {
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { prefix: 'images/' })], ours({ prefix: 'images/raw/' })),
    ).toHaveLength(1);
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { prefix: 'images/raw/' })], ours({ prefix: 'images/' })),
    ).toHaveLength(1);
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { prefix: 'images/' })], ours({ prefix: 'images/' })),
    ).toHaveLength(1);
  });

  it('overlapping suffixes: one ends with the other', () => {
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { suffix: 'jpg' })], ours({ suffix: '.jpg' })),
    ).toHaveLength(1);
  });

  it('a prefix-only rule and a suffix-only rule overlap (a key can have both)', () => {
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { prefix: 'images/' })], ours({ suffix: '.jpg' })),
    ).toHaveLength(1);
  });

  it('reports the shared event types', () => {
    const [overlap] = findOverlaps(
      [rule(['s3:ObjectRemoved:Delete', 's3:ObjectCreated:Put'], { prefix: 'a/' })],
      ours({ prefix: 'a/' }),
    );
    expect(overlap?.events).toEqual(['s3:ObjectCreated:Put']);
    expect(
      findOverlaps([rule(['s3:ObjectRemoved:Delete'], { prefix: 'a/' })], ours({ prefix: 'a/' })),
    ).toEqual([expect.objectContaining({ events: ['s3:ObjectRemoved:Delete'] })]);
  });
});

describe('configurations S3 accepts side by side', () => {
  it('prefixes that do not overlap', () => {
    expect(
      findOverlaps([rule(['s3:ObjectCreated:*'], { prefix: 'logs/' })], ours({ prefix: 'images/' })),
    ).toEqual([]);
  });

  it('the same prefix with suffixes that do not overlap', () => {
    expect(
      findOverlaps(
        [rule(['s3:ObjectCreated:*'], { prefix: 'images/', suffix: '.png' })],
        ours({ prefix: 'images/', suffix: '.jpg' }),
      ),
    ).toEqual([]);
  });

  it('overlapping filters on event types that do not overlap', () => {
    expect(findOverlaps([rule(['s3:ReducedRedundancyLostObject'])], ours())).toEqual([]);
    expect(findOverlaps([rule(['s3:ObjectRemoved:*'])], plannedRules({ recordDeletes: false }))).toEqual([]);
  });
});

describe("reading the bucket's configuration", () => {
  it('reads queues, topics and functions with their filter rules (rule names in any case)', () => {
    const rules = rulesOf({
      QueueConfigurations: [
        {
          Id: 'q',
          QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q',
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'in/' }] } },
        },
      ],
      TopicConfigurations: [
        {
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
          Events: ['s3:ObjectRemoved:*'],
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }] } },
        },
      ],
      LambdaFunctionConfigurations: [
        {
          LambdaFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
          Events: ['s3:ObjectCreated:Put'],
        },
      ],
    });
    expect(rules).toEqual([
      {
        destination: 'arn:aws:sqs:eu-west-1:123456789012:q',
        id: 'q',
        events: ['s3:ObjectCreated:*'],
        prefix: 'in/',
      },
      { destination: 'arn:aws:sns:eu-west-1:123456789012:t', events: ['s3:ObjectRemoved:*'], suffix: '.csv' },
      { destination: 'arn:aws:lambda:eu-west-1:123456789012:function:f', events: ['s3:ObjectCreated:Put'] },
    ]);
  });

  it('plans one rule per subscribed event type, removals only when deletes are recorded, with the configured filter', () => {
    const all = plannedRules({ prefix: 'in/', recordDeletes: true });
    expect(all.map((planned) => planned.events[0])).toEqual([
      ...SUBSCRIBED_EVENT_TYPES.always,
      ...SUBSCRIBED_EVENT_TYPES.removals,
    ]);
    expect(all.every((planned) => planned.prefix === 'in/')).toBe(true);
    expect(plannedRules({ recordDeletes: false }).map((planned) => planned.events[0])).toEqual([
      ...SUBSCRIBED_EVENT_TYPES.always,
    ]);
  });
});
