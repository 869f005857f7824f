import { InvalidInputError } from '../../../functions/core/errors';
import { buildPresentItem, buildTombstoneAttributes } from '../../../functions/core/metadata-item';
import { padSequencer } from '../../../functions/core/sequencer';
import { EXECUTION_ARN, objectDescription, objectEvent } from '../../support/fixtures';

const description = objectDescription({ userMetadata: { owner: 'finance' }, tags: { project: 'q3' } });
const processedAt = new Date('2026-11-25T10:15:31.000Z');

describe('buildPresentItem', () => {
  it('builds the whole item with the tutorial attribute names and the padded sequencer', () => {
    const item = buildPresentItem({
      object: objectEvent(),
      executionArn: EXECUTION_ARN,
      processedAt,
      description,
      enrichments: [
        { stage: 'content-sniffing', attributes: { Category: 'text', DetectedContentType: 'text/csv' } },
      ],
    });
    expect(item).toEqual({
      BucketName: 'uploads',
      ObjectKey: 'reports/q3 2026 (final).csv',
      Status: 'present',
      EventName: 'ObjectCreated:Put',
      RecordType: 'CREATE',
      IsDeleteMarker: false,
      IsMultipart: false,
      Sequencer: padSequencer('0055AED6DCD90281E5'),
      ExecutionArn: EXECUTION_ARN,
      UploadTime: '2026-11-25T10:15:30.123Z',
      UploadDay: '2026-11-25',
      ProcessedAt: '2026-11-25T10:15:31.000Z',
      FileSize: 1024,
      ETag: 'd41d8cd98f00b204e9800998ecf8427e',
      ContentType: 'text/csv',
      StorageClass: 'STANDARD',
      LastModified: '2026-11-25T10:15:30.000Z',
      UserMetadata: { owner: 'finance' },
      Tags: { project: 'q3' },
      Category: 'text',
      DetectedContentType: 'text/csv',
    });
  });

  it('leaves out what the object does not have', () => {
    const item = buildPresentItem({
      object: objectEvent(),
      executionArn: EXECUTION_ARN,
      processedAt,
      description,
      enrichments: [],
    });
    expect(item).not.toHaveProperty('VersionId');
    expect(item).not.toHaveProperty('ContentEncoding');
    expect(item).not.toHaveProperty('ChecksumAlgorithm');
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html:
  // an empty string is not a valid value for an index key attribute; the PutItem would fail.
  it('leaves out an empty Content-Type, a key of the ByContentType index, rather than fail the write', () => {
    const item = buildPresentItem({
      object: objectEvent(),
      executionArn: EXECUTION_ARN,
      processedAt,
      description: objectDescription({ contentType: '' }),
      enrichments: [],
    });
    expect(item).not.toHaveProperty('ContentType');
    expect(item.FileSize).toBeDefined();
  });

  it('takes the version id from the description, or else from the event', () => {
    const fromEvent = buildPresentItem({
      object: objectEvent({ versionId: 'v-event' }),
      executionArn: EXECUTION_ARN,
      processedAt,
      description,
      enrichments: [],
    });
    expect(fromEvent.VersionId).toBe('v-event');
    const fromHead = buildPresentItem({
      object: objectEvent({ versionId: 'v-event' }),
      executionArn: EXECUTION_ARN,
      processedAt,
      description: { ...description, versionId: 'v-head' },
      enrichments: [],
    });
    expect(fromHead.VersionId).toBe('v-head');
  });

  it('fails when an enrichment stage returns a core attribute', () => {
    const build = () =>
      buildPresentItem({
        object: objectEvent(),
        executionArn: EXECUTION_ARN,
        processedAt,
        description,
        enrichments: [{ stage: 'rogue', attributes: { ContentType: 'x/y' } }],
      });
    expect(build).toThrow(InvalidInputError);
    expect(build).toThrow(/Enrichment stage "rogue" returned "ContentType", which is a core attribute/);
  });

  it('fails when two stages return the same attribute', () => {
    const build = () =>
      buildPresentItem({
        object: objectEvent(),
        executionArn: EXECUTION_ARN,
        processedAt,
        description,
        enrichments: [
          { stage: 'one', attributes: { Category: 'text' } },
          { stage: 'two', attributes: { Category: 'image' } },
        ],
      });
    expect(build).toThrow(/"one" and "two" both returned "Category"/);
  });
});

describe('buildTombstoneAttributes', () => {
  it('marks the item deleted with the time and sequencer of the delete', () => {
    expect(
      buildTombstoneAttributes({
        object: objectEvent({
          eventType: 'removed',
          eventName: 'ObjectRemoved:Delete',
          sequencer: 'F0',
          size: undefined,
          eTag: undefined,
        }),
        executionArn: EXECUTION_ARN,
        processedAt,
      }),
    ).toEqual({
      Status: 'deleted',
      EventName: 'ObjectRemoved:Delete',
      RecordType: 'DELETE',
      IsDeleteMarker: false,
      Sequencer: padSequencer('F0'),
      ExecutionArn: EXECUTION_ARN,
      ProcessedAt: '2026-11-25T10:15:31.000Z',
      DeletedAt: '2026-11-25T10:15:30.123Z',
    });
  });

  it('records the delete marker version in a versioned bucket', () => {
    const attributes = buildTombstoneAttributes({
      object: objectEvent({
        eventType: 'removed',
        eventName: 'ObjectRemoved:DeleteMarkerCreated',
        versionId: 'marker-1',
      }),
      executionArn: EXECUTION_ARN,
      processedAt,
    });
    expect(attributes.DeletedVersionId).toBe('marker-1');
  });
});
