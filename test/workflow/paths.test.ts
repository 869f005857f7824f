import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { enrichmentStateNames } from '../../statemachine/definition';
import { objectEvent } from '../support/fixtures';
import { redriveWorkflow, runWorkflow } from './harness';

/** The enrichment stages' states, in order (from the registry): adding a stage changes no list here. */
const STAGES = enrichmentStateNames();

// The real handlers run; only the AWS services behind them are mocked.
const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

const png = readFileSync(join(__dirname, '..', '..', 'local', 'samples', 'photo.png'));
const ETAG = 'b1946ac92492d2347c6235b4d2611184';
const created = objectEvent({ key: 'images/cat 1.png', eTag: ETAG, size: png.length });
const removed = objectEvent({
  key: 'images/cat 1.png',
  eventType: 'removed',
  eventName: 'ObjectRemoved:Delete',
  sequencer: '0055AED6DCD90281F0',
  size: undefined,
  eTag: undefined,
});

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} (simulated)`), { name, $metadata: { httpStatusCode: status } });

function publishedTypes(): string[] {
  return sns
    .commandCalls(PublishCommand)
    .map((call) => JSON.parse(JSON.parse(call.args[0].input.Message ?? '{}').default).type);
}

beforeEach(() => {
  s3.reset();
  dynamo.reset();
  sns.reset();
  s3.on(HeadObjectCommand).resolves({
    ContentType: 'image/png',
    ContentLength: png.length,
    ETag: `"${ETAG}"`,
    LastModified: new Date('2026-11-25T10:15:30.000Z'),
  });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(GetObjectCommand).callsFake(async () => ({
    Body: { transformToByteArray: async () => new Uint8Array(png) },
  }));
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).callsFake(async (input) => ({
    Attributes: { ...input.Key, Status: 'deleted', ContentType: 'image/png' },
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

describe('created object', () => {
  it('is described, enriched, written and notified', async () => {
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'RouteEvent',
      'DescribeObject',
      ...STAGES,
      'WriteMetadata',
      'WasWritten',
      'Notify',
    ]);
    expect(run.retries).toEqual([]);
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      ObjectKey: 'images/cat 1.png',
      ContentType: 'image/png',
      DetectedContentType: 'image/png',
      Category: 'image',
      ContentTypeMismatch: false,
      ExecutionArn: run.executionArn,
    });
    expect(publishedTypes()).toEqual(['object.created']);
    expect(run.output).toMatchObject({ write: { result: { written: true, status: 'recorded' } } });
  });
});

describe('removed object', () => {
  it('writes a tombstone and notifies the deletion, without describing anything', async () => {
    const run = await runWorkflow({ object: removed });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['RouteEvent', 'WriteTombstone', 'WasWritten', 'Notify']);
    expect(s3.calls()).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(publishedTypes()).toEqual(['object.deleted']);
  });
});

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html: permanently deleting
// a version makes the next one current; deleting a delete marker brings the object back.
describe('version permanently deleted (versioned bucket)', () => {
  const versionDeleted = objectEvent({
    key: 'images/cat 1.png',
    eventType: 'removed',
    eventName: 'ObjectRemoved:Delete',
    versionId: 'v2',
    sequencer: '0055AED6DCD90281F0',
    size: undefined,
    eTag: undefined,
  });
  const headNotFound = (headers: Record<string, string>) => {
    const error = awsError('NotFound', 404);
    Object.defineProperty(error, '$response', { value: { statusCode: 404, headers }, enumerable: false });
    return error;
  };

  it('records the version that is current now, enriched like a new object, and notifies an update', async () => {
    s3.on(HeadObjectCommand).resolves({
      ContentType: 'image/png',
      ContentLength: png.length,
      ETag: `"${ETAG}"`,
      VersionId: 'v1',
      LastModified: new Date('2026-11-20T08:00:00.000Z'),
    });
    const run = await runWorkflow({ object: versionDeleted });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'RouteEvent',
      'DescribeCurrent',
      'CurrentVersion',
      ...STAGES,
      'WriteMetadata',
      'WasWritten',
      'Notify',
    ]);
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).not.toHaveProperty('VersionId');
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      Status: 'present',
      VersionId: 'v1',
      DetectedContentType: 'image/png',
      RecordType: 'DELETE',
    });
    expect(publishedTypes()).toEqual(['object.updated']);
  });

  it('tombstones the item, naming the delete marker, when a marker is current', async () => {
    s3.on(HeadObjectCommand).rejects(
      headNotFound({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'marker-1' }),
    );
    const run = await runWorkflow({ object: versionDeleted });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'RouteEvent',
      'DescribeCurrent',
      'CurrentVersion',
      'WriteMetadata',
      'WasWritten',
      'Notify',
    ]);
    const values = Object.values(
      dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues ?? {},
    );
    expect(values).toEqual(expect.arrayContaining(['deleted', true, 'marker-1']));
    expect(publishedTypes()).toEqual(['object.deleted']);
  });

  it('writes a delete marker event straight to a tombstone, describing nothing', async () => {
    const run = await runWorkflow({
      object: { ...versionDeleted, eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'marker-2' },
    });
    expect(run.statesEntered).toEqual(['RouteEvent', 'WriteTombstone', 'WasWritten', 'Notify']);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('metadata event (tags, Lifecycle transition, restore)', () => {
  const tagged = objectEvent({
    key: 'images/cat 1.png',
    eventType: 'updated',
    eventName: 'ObjectTagging:Put',
    sequencer: undefined,
    size: undefined,
    eTag: undefined,
  });

  it('refreshes the tags of the item without reading the content, and notifies the change', async () => {
    s3.on(HeadObjectCommand).resolves({
      ContentType: 'image/png',
      ContentLength: png.length,
      ETag: `"${ETAG}"`,
      TagCount: 1,
    });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'project', Value: 'q4' }] });
    dynamo.on(UpdateCommand).callsFake(async () => ({
      Attributes: {
        BucketName: 'uploads',
        ObjectKey: 'images/cat 1.png',
        Status: 'present',
        Tags: { project: 'q4' },
      },
    }));
    const run = await runWorkflow({ object: tagged });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'RouteEvent',
      'DescribeMetadata',
      'WriteMetadataUpdate',
      'WasWritten',
      'Notify',
    ]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(publishedTypes()).toEqual(['object.tags-changed']);
  });

  it('ends as gone when the object no longer exists', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const run = await runWorkflow({ object: { ...tagged, eventName: 'LifecycleTransition' } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['RouteEvent', 'DescribeMetadata', 'ObjectGone']);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('ends as stale, notifying nobody, when there is no present item to update yet', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const run = await runWorkflow({ object: { ...tagged, eventName: 'ObjectRestore:Completed' } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered.slice(-2)).toEqual(['WasWritten', 'Stale']);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('object gone before it is described', () => {
  it('ends successfully, marked gone, writing and notifying nothing', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['RouteEvent', 'DescribeObject', 'ObjectGone']);
    expect(run.output?.outcome).toMatchObject({
      status: 'gone',
      reason: expect.stringContaining('HeadObject'),
    });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('object overwritten after the event', () => {
  it('ends successfully, marked superseded, when HeadObject shows another ETag', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentType: 'image/png', ContentLength: 10, ETag: '"0000"' });
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['RouteEvent', 'DescribeObject', 'Superseded']);
    expect(run.output?.outcome).toMatchObject({ status: 'superseded' });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('ends successfully, marked superseded, when it changes before its first bytes are read (412)', async () => {
    s3.on(GetObjectCommand).rejects(awsError('PreconditionFailed', 412));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['RouteEvent', 'DescribeObject', 'Superseded']);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('stale event', () => {
  it('ends successfully, marked superseded, with no notification, when a newer event is already recorded', async () => {
    dynamo.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
        Item: { Sequencer: { S: 'FF'.padStart(64, '0') } },
      }),
    );
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered.slice(-2)).toEqual(['WasWritten', 'Stale']);
    expect(run.output?.outcome).toMatchObject({
      status: 'superseded',
      reason: expect.stringContaining('already records a newer event'),
    });
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('transient faults', () => {
  it('retries a throttled write, visibly in the history, then succeeds', async () => {
    dynamo
      .on(PutCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException', 400))
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({});
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toEqual([
      { state: 'WriteMetadata', attempt: 1, error: 'ThrottledError' },
      { state: 'WriteMetadata', attempt: 2, error: 'ThrottledError' },
    ]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(3);
    expect(publishedTypes()).toEqual(['object.created']);
  });

  it('retries a step that died after doing its work (the write is repeated, the item is the same)', async () => {
    // The function wrote the item, then its process died before answering: Step Functions sees Runtime.ExitError.
    let invocations = 0;
    const run = await runWorkflow({ object: created }, 'crashed-once', (fn, handler) =>
      fn !== 'write-metadata'
        ? handler
        : async (event) => {
            const result = await handler(event);
            invocations += 1;
            if (invocations === 1)
              throw Object.assign(new Error('Runtime exited with error: signal: killed'), {
                name: 'Runtime.ExitError',
              });
            return result;
          },
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toEqual([{ state: 'WriteMetadata', attempt: 1, error: 'Runtime.ExitError' }]);
    const puts = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(puts).toHaveLength(2);
    expect({ ...puts[1], ProcessedAt: 'x' }).toEqual({ ...puts[0], ProcessedAt: 'x' });
    expect(publishedTypes()).toEqual(['object.created']);
  });

  it('retries a 5xx from S3 while the sample is read, then succeeds', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(awsError('InternalError', 500))
      .callsFake(async () => ({ Body: { transformToByteArray: async () => new Uint8Array(png) } }));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toEqual([{ state: 'DescribeObject', attempt: 1, error: 'TransientError' }]);
  });

  it('fails at the throttled step once throttling outlasts the retries, and notifies the failure', async () => {
    dynamo.on(PutCommand).rejects(awsError('ThrottlingException', 400));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('FAILED');
    expect(run.retries).toHaveLength(8); // MaxAttempts counts retries
    expect(
      run.retries.every((retry) => retry.state === 'WriteMetadata' && retry.error === 'ThrottledError'),
    ).toBe(true);
    expect(run.statesEntered.at(-1)).toBe('WriteMetadata');
    expect(run.error).toBe('ThrottledError');
    expect(publishedTypes()).toEqual(['object.failed']);
  });
});

describe('permanent failure', () => {
  it('is not retried: the execution fails at the step with its error, and the failure is notified from the status change', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('Forbidden', 403));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('FAILED');
    expect(run.retries).toEqual([]);
    expect(run.statesEntered).toEqual(['RouteEvent', 'DescribeObject']);
    expect(run.error).toBe('PermanentError');
    expect(JSON.parse(run.cause ?? '{}').errorMessage).toContain(
      'HeadObject s3://uploads/images/cat 1.png failed: Forbidden (HTTP 403)',
    );
    const failure = JSON.parse(
      JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}').default,
    );
    expect(failure).toMatchObject({
      type: 'object.failed',
      key: 'images/cat 1.png',
      failure: { error: 'PermanentError', cause: expect.stringContaining('Forbidden') },
    });
  });

  it('fails at Notify when the notification cannot be sent, after the item was written', async () => {
    sns.on(PublishCommand).rejects(awsError('AuthorizationErrorException', 403));
    const run = await runWorkflow({ object: created });
    expect(run.status).toBe('FAILED');
    expect(run.statesEntered.at(-1)).toBe('Notify');
    expect(run.error).toBe('PermanentError');
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('rejects an input that is not an object event, with a clear cause', async () => {
    const run = await runWorkflow({ object: { ...created, sequencer: 'not-hex' } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInputError');
    expect(JSON.parse(run.cause ?? '{}').errorMessage).toContain('object.sequencer');
  });
});

// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: a redrive continues
// the failed execution at its unsuccessful step, with the same input; the steps that succeeded keep
// their results and do not run again.
describe('redrive after the cause is fixed', () => {
  it('re-runs only the step that failed and the rest of the path: the item is written and notified once', async () => {
    // The object's KMS key was not granted: every read is refused.
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));
    const failed = await runWorkflow({ object: created }, 'cat_1_png-redrive');
    expect(failed.status).toBe('FAILED');
    expect(failed.statesEntered.at(-1)).toBe('DescribeObject');
    expect(publishedTypes()).toEqual(['object.failed']);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);

    // The grant is deployed; the operator presses Redrive.
    s3.on(GetObjectCommand).callsFake(async () => ({
      Body: { transformToByteArray: async () => new Uint8Array(png) },
    }));
    const redriven = await redriveWorkflow(failed);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.executionArn).toBe(failed.executionArn);
    expect(redriven.redriveCount).toBe(1);
    // RouteEvent succeeded the first time: the redrive starts at the failed step.
    expect(redriven.statesEntered).toEqual([
      'DescribeObject',
      ...STAGES,
      'WriteMetadata',
      'WasWritten',
      'Notify',
    ]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
    expect(publishedTypes()).toEqual(['object.failed', 'object.created']);
  });

  it('fails again at the same step while the cause is not fixed, notifying that failure too', async () => {
    dynamo.on(PutCommand).rejects(awsError('AccessDeniedException', 400));
    const failed = await runWorkflow({ object: created }, 'cat_1_png-again');
    const again = await redriveWorkflow(failed);
    expect(again.status).toBe('FAILED');
    expect(again.statesEntered).toEqual(['WriteMetadata']);
    expect(again.error).toBe('PermanentError');
    expect(publishedTypes()).toEqual(['object.failed', 'object.failed']);
  });
});
