import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { padSequencer } from '../../../functions/core/sequencer';
import { handler } from '../../../functions/write-metadata';
import { EXECUTION_ARN, objectDescription, objectEvent } from '../../support/fixtures';

const dynamo = mockClient(DynamoDBDocumentClient);

const description = objectDescription();
const GUARD = 'attribute_not_exists(#seq) OR #seq < :seq OR (#seq = :seq AND #exec = :exec)';
const removed = objectEvent({
  eventType: 'removed',
  eventName: 'ObjectRemoved:Delete',
  sequencer: '0055AED6DCD90281F0',
  size: undefined,
  eTag: undefined,
});

function conditionFailed(storedSequencer: string) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    Item: { Sequencer: { S: padSequencer(storedSequencer) } },
  });
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).callsFake(async (input) => ({ Attributes: { ...input.Key, Status: 'deleted' } }));
});

describe('write-metadata handler, created events', () => {
  it('writes the whole item in one PutItem guarded by the padded sequencer', async () => {
    const result = await handler({
      object: objectEvent(),
      description,
      enrichments: [{ stage: 'content-sniffing', attributes: { Category: 'text' } }],
      executionArn: EXECUTION_ARN,
    });
    expect(result).toMatchObject({
      written: true,
      status: 'recorded',
      item: { ObjectKey: 'reports/q3 2026 (final).csv', Category: 'text' },
    });
    const calls = dynamo.commandCalls(PutCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      TableName: 'S3FileMetadata',
      ConditionExpression: GUARD,
      ExpressionAttributeNames: { '#seq': 'Sequencer', '#exec': 'ExecutionArn' },
      ExpressionAttributeValues: { ':seq': padSequencer('0055AED6DCD90281E5'), ':exec': EXECUTION_ARN },
      Item: {
        BucketName: 'uploads',
        Status: 'present',
        Sequencer: padSequencer('0055AED6DCD90281E5'),
        ExecutionArn: EXECUTION_ARN,
      },
    });
  });

  it('reports a stale event as not written, naming both sequencers', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed('0055AED6DCD90281F0'));
    await expect(
      handler({ object: objectEvent(), description, executionArn: EXECUTION_ARN }),
    ).resolves.toEqual({
      written: false,
      status: 'stale',
      reason:
        's3://uploads/reports/q3 2026 (final).csv already records a newer event (stored sequencer 55AED6DCD90281F0, this event 0055AED6DCD90281E5)',
    });
  });

  it('fails with ThrottledError when DynamoDB throttles', async () => {
    dynamo.on(PutCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(
      handler({ object: objectEvent(), description, executionArn: EXECUTION_ARN }),
    ).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining(
        'PutItem s3://uploads/reports/q3 2026 (final).csv in S3FileMetadata failed',
      ),
    });
  });

  it('rejects a created event without its description', async () => {
    await expect(handler({ object: objectEvent(), executionArn: EXECUTION_ARN })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('description: a created event needs the description of its object'),
    });
  });

  it('rejects input without the execution ARN, which every item records', async () => {
    await expect(handler({ object: objectEvent(), description })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('executionArn'),
    });
  });
});

describe('write-metadata handler, removed events', () => {
  it('writes a tombstone with one UpdateItem under the same guard, keeping the rest of the item', async () => {
    const result = await handler({ object: removed, executionArn: EXECUTION_ARN });
    expect(result).toMatchObject({ written: true, status: 'deleted' });
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ BucketName: 'uploads', ObjectKey: 'reports/q3 2026 (final).csv' });
    expect(input?.ConditionExpression).toBe(GUARD);
    expect(input?.ReturnValues).toBe('ALL_NEW');
    // Every SET names one tombstone attribute; nothing else of the item is touched.
    const names = input?.ExpressionAttributeNames ?? {};
    const values = input?.ExpressionAttributeValues ?? {};
    const set = Object.fromEntries(
      [...(input?.UpdateExpression ?? '').matchAll(/(#a\d+) = (:a\d+)/g)].map(([, name, value]) => [
        names[name ?? ''],
        values[value ?? ''],
      ]),
    );
    expect(set).toEqual({
      Status: 'deleted',
      EventName: 'ObjectRemoved:Delete',
      RecordType: 'DELETE',
      IsDeleteMarker: false,
      Sequencer: padSequencer('0055AED6DCD90281F0'),
      ExecutionArn: EXECUTION_ARN,
      ProcessedAt: expect.any(String),
      DeletedAt: '2026-11-25T10:15:30.123Z',
    });
    expect(input?.UpdateExpression).toContain('REMOVE #deletedVersion');
  });

  it('records the delete marker version instead of removing it', async () => {
    await handler({ object: { ...removed, versionId: 'marker-1' }, executionArn: EXECUTION_ARN });
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).not.toContain('REMOVE');
    expect(Object.values(input?.ExpressionAttributeValues ?? {})).toContain('marker-1');
  });

  it('reports a delete older than the stored event as stale', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed('FFFF00000000000000'));
    await expect(handler({ object: removed, executionArn: EXECUTION_ARN })).resolves.toMatchObject({
      written: false,
      status: 'stale',
    });
  });
});

describe('write-metadata handler, enrichment results', () => {
  it('takes the stages results by stage, as the workflow passes them', async () => {
    const result = await handler({
      object: objectEvent(),
      description,
      enrichments: { contentSniffing: { stage: 'content-sniffing', attributes: { Category: 'text' } } },
      executionArn: EXECUTION_ARN,
    });
    expect(result).toMatchObject({ written: true, item: { Category: 'text' } });
  });
});

/** The attributes an UpdateItem call SETs, by name. */
function setOf(
  input:
    | {
        UpdateExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, unknown>;
      }
    | undefined,
) {
  const names = input?.ExpressionAttributeNames ?? {};
  const values = input?.ExpressionAttributeValues ?? {};
  return Object.fromEntries(
    [...(input?.UpdateExpression ?? '').matchAll(/(#a\d+) = (:a\d+)/g)].map(([, name, value]) => [
      names[name ?? ''],
      values[value ?? ''],
    ]),
  );
}

describe('write-metadata handler, versioned removals', () => {
  const versionDelete = objectEvent({
    eventType: 'removed',
    eventName: 'ObjectRemoved:Delete',
    versionId: 'v2',
    sequencer: '0055AED6DCD90281F0',
    size: undefined,
    eTag: undefined,
  });

  it('records the version that became current as a present item, uploaded when it was last modified', async () => {
    const result = await handler({
      object: versionDelete,
      executionArn: EXECUTION_ARN,
      description: { ...description, versionId: 'v1', lastModified: '2026-11-20T08:00:00.000Z' },
      removal: null,
    });
    expect(result).toMatchObject({ written: true, status: 'recorded' });
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      Status: 'present',
      VersionId: 'v1',
      RecordType: 'DELETE',
      IsDeleteMarker: false,
      UploadTime: '2026-11-20T08:00:00.000Z',
      UploadDay: '2026-11-20',
    });
  });

  it('changes nothing when the version it found current is the one already recorded (a noncurrent version was deleted)', async () => {
    dynamo.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: {
          Status: { S: 'present' },
          VersionId: { S: 'v1' },
          ETag: { S: description.eTag },
          Sequencer: { S: padSequencer('0055AED6DCD90281E5') },
        },
      }),
    );
    const result = await handler({
      object: versionDelete,
      executionArn: EXECUTION_ARN,
      description: { ...description, versionId: 'v1' },
      removal: null,
    });
    expect(result).toMatchObject({
      written: false,
      reason: expect.stringContaining('still the current one'),
    });
    const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain(
      'NOT (#status = :present AND #version = :version AND #etag = :etag)',
    );
    // The guard alone moves on, so an older event cannot undo what this one confirmed.
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.UpdateExpression).toBe('SET #seq = :seq, #exec = :exec, #processed = :processed');
    expect(update?.ExpressionAttributeValues?.[':seq']).toBe(padSequencer('0055AED6DCD90281F0'));
  });

  it('tombstones the item with the delete marker that is current now', async () => {
    await handler({
      object: versionDelete,
      executionArn: EXECUTION_ARN,
      description: null,
      removal: { deleteMarkerVersionId: 'marker-9' },
    });
    expect(setOf(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input)).toMatchObject({
      Status: 'deleted',
      IsDeleteMarker: true,
      DeletedVersionId: 'marker-9',
    });
  });
});

describe('write-metadata handler, metadata events', () => {
  const tagged = objectEvent({
    eventType: 'updated',
    eventName: 'ObjectTagging:Put',
    sequencer: undefined,
    eventTime: '2026-11-26T09:00:00.000Z',
  });
  const update = { storageClass: 'STANDARD', tags: { project: 'q4' } };

  it('sets tags and record type on a present item, guarded by the event time, without touching the sequencer', async () => {
    dynamo
      .on(UpdateCommand)
      .callsFake(async () => ({ Attributes: { Status: 'present', Tags: { project: 'q4' } } }));
    const result = await handler({ object: tagged, executionArn: EXECUTION_ARN, update });
    expect(result).toMatchObject({ written: true, status: 'updated' });
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(setOf(input)).toMatchObject({
      Tags: { project: 'q4' },
      StorageClass: 'STANDARD',
      RecordType: 'UPDATE_METADATA',
      EventName: 'ObjectTagging:Put',
      MetadataEventTime: '2026-11-26T09:00:00.000Z',
    });
    expect(setOf(input)).not.toHaveProperty('Sequencer');
    expect(input?.ConditionExpression).toContain('#status = :present');
    expect(input?.ExpressionAttributeValues?.[':time']).toBe('2026-11-26T09:00:00.000Z');
    // A restore that is over leaves no restore attributes behind.
    expect(input?.UpdateExpression).toMatch(/REMOVE #r0, #r1$/);
  });

  it('only touches the item of the event version in a versioned bucket', async () => {
    await handler({ object: { ...tagged, versionId: 'v1' }, executionArn: EXECUTION_ARN, update });
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('#version = :version');
    expect(input?.ExpressionAttributeValues?.[':version']).toBe('v1');
  });

  it('reports an event about no present item (or an older one) as stale, not an error', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(handler({ object: tagged, executionArn: EXECUTION_ARN, update })).resolves.toMatchObject({
      written: false,
      status: 'stale',
      reason: expect.stringContaining('ObjectTagging:Put left it as it is'),
    });
  });

  it('rejects a metadata event without its update', async () => {
    await expect(handler({ object: tagged, executionArn: EXECUTION_ARN })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
