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
