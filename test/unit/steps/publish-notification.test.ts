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
