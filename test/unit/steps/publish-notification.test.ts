import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { eventId } from '../../../functions/core/execution-name';
import { handler } from '../../../functions/publish-notification';
import { readableCause } from '../../../functions/publish-notification/publish-notification';
import { EXECUTION_ARN, objectEvent } from '../../support/fixtures';

const sns = mockClient(SNSClient);
const item = {
  BucketName: 'uploads',
  ObjectKey: 'reports/q3 2026 (final).csv',
  Status: 'present',
  FileSize: 1024,
  ContentType: 'text/csv',
  Category: 'text',
};

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

describe('publish-notification handler', () => {
  it('publishes one json-structured message with filterable attributes to the topic', async () => {
    const result = await handler({
      kind: 'recorded',
      object: objectEvent(),
      item,
      executionArn: EXECUTION_ARN,
    });
    expect(result).toEqual({
      messageId: 'message-1',
      notificationId: eventId(objectEvent()),
      type: 'object.created',
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:s3-metadata-notifications',
      Subject: 'New object: s3://uploads/reports/q3 2026 (final).csv',
      MessageStructure: 'json',
      MessageAttributes: {
        bucket: { DataType: 'String', StringValue: 'uploads' },
        category: { DataType: 'String', StringValue: 'text' },
        size: { DataType: 'Number', StringValue: '1024' },
      },
    });
    expect(Object.keys(JSON.parse(input?.Message ?? '{}'))).toEqual(['default', 'email']);
  });

  it('publishes a failure with the readable message of a Lambda error cause', async () => {
    const cause = JSON.stringify({
      errorType: 'PermanentError',
      errorMessage: 'HeadObject failed: AccessDenied',
      trace: ['at x'],
    });
    const result = await handler({
      kind: 'failed',
      object: objectEvent(),
      error: { Error: 'PermanentError', Cause: cause },
    });
    expect(result.type).toBe('object.failed');
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    expect(JSON.parse(message.default).failure).toEqual({
      error: 'PermanentError',
      cause: 'HeadObject failed: AccessDenied',
    });
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html: the event
  // EventBridge delivers when a STANDARD execution ends; `input` is the execution input as text.
  describe('from an execution status change event', () => {
    const statusChange = (detail: Record<string, unknown>) => ({
      version: '0',
      id: 'e7b6c1d2-0000-4000-8000-000000000000',
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '123456789012',
      time: '2026-11-25T10:15:40Z',
      region: 'eu-west-1',
      resources: [EXECUTION_ARN],
      detail: {
        executionArn: EXECUTION_ARN,
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:metadata-pipeline',
        name: 'cat_1_png-0123',
        startDate: 1764065730000,
        stopDate: 1764065740000,
        input: JSON.stringify({ object: objectEvent() }),
        inputDetails: { included: true },
        output: null,
        outputDetails: null,
        redriveCount: 0,
        ...detail,
      },
    });
    const published = () =>
      JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}').default);

    it('publishes the failure of a FAILED execution with its error and readable cause', async () => {
      const cause = JSON.stringify({
        errorType: 'PermanentError',
        errorMessage: 'GetObject failed: AccessDenied',
      });
      const result = await handler(statusChange({ status: 'FAILED', error: 'PermanentError', cause }));
      expect(result.type).toBe('object.failed');
      expect(published()).toMatchObject({
        type: 'object.failed',
        key: objectEvent().key,
        executionArn: EXECUTION_ARN,
        failure: { error: 'PermanentError', cause: 'GetObject failed: AccessDenied' },
      });
    });

    it('names a timeout States.Timeout and an abort States.Aborted (their events carry no error)', async () => {
      await handler(statusChange({ status: 'TIMED_OUT', error: null, cause: null }));
      expect(published().failure).toEqual({
        error: 'States.Timeout',
        cause: 'The execution ended TIMED_OUT',
      });
      sns.reset();
      sns.on(PublishCommand).resolves({ MessageId: 'm' });
      await handler(statusChange({ status: 'ABORTED', error: null, cause: null }));
      expect(published().failure.error).toBe('States.Aborted');
    });

    it('refuses a status that is not a failure, and an input without an object event', async () => {
      await expect(handler(statusChange({ status: 'SUCCEEDED' }))).rejects.toMatchObject({
        name: 'InvalidInputError',
      });
      await expect(
        handler(statusChange({ status: 'FAILED', error: 'X', input: '{"object":{}}' })),
      ).rejects.toMatchObject({ name: 'InvalidInputError' });
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    });
  });

  it('fails with ThrottledError when SNS throttles', async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottledException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(handler({ kind: 'recorded', object: objectEvent(), item })).rejects.toMatchObject({
      name: 'ThrottledError',
    });
  });

  it('fails with PermanentError when the topic does not exist', async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Topic does not exist'), {
        name: 'NotFoundException',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    await expect(handler({ kind: 'recorded', object: objectEvent(), item })).rejects.toMatchObject({
      name: 'PermanentError',
    });
  });

  it('rejects an unknown kind', async () => {
    await expect(handler({ kind: 'other', object: objectEvent() })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});

describe('readableCause', () => {
  it('keeps plain text as it is', () => {
    expect(readableCause('States.Timeout')).toBe('States.Timeout');
  });

  it('says when there is no cause', () => {
    expect(readableCause(undefined)).toBe('(no cause given)');
  });
});
