import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

const endpoint = e2eEndpoint();
const { sqs } = clientsFor(endpoint);

/** A query-protocol call (form-encoded, XML answer), as the SDKs of 2023 that added move tasks sent it. */
async function queryCall(params: Record<string, string>) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: response.status, text: await response.text() };
}

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes.QueueArn ?? '' };
}

async function counts(url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    notVisible: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A source queue whose messages go to its dead-letter queue after one receive, and `n` messages dead-lettered. */
async function deadLettered(prefix: string, n: number) {
  const dlq = await queue(`${prefix}-dlq`);
  const source = await queue(prefix, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
  });
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: source.url,
      Entries: Array.from({ length: n }, (_, index) => ({
        Id: String(index),
        MessageBody: `message ${index}`,
      })),
    }),
  );
  // Each receive over maxReceiveCount moves the message to the dead-letter queue.
  await eventually(
    async () => {
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      return (await counts(dlq.url)).visible === n ? true : undefined;
    },
    20_000,
    `${n} messages in ${prefix}-dlq`,
  );
  return { source, dlq };
}

async function tasks(sourceArn: string, max = 10): Promise<ListMessageMoveTasksResultEntry[]> {
  return (
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: max }))).Results ?? []
  );
}

function finished(sourceArn: string) {
  return eventually(
    async () => {
      const [latest] = await tasks(sourceArn, 1);
      return latest?.Status === 'RUNNING' ? undefined : latest;
    },
    30_000,
    'the move task to end',
  );
}

describe('SQS as documented, through the SDK v3 (JSON protocol)', () => {
  it('counts a message received with VisibilityTimeout 0 as visible again at once (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html)', async () => {
    const { url } = await queue('e2e-sqs-visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }),
    );
    expect(Messages).toHaveLength(1);
    expect(await counts(url)).toEqual({ visible: 1, notVisible: 0 });
  });

  it('names the source queue of a dead-lettered message in DeadLetterQueueSourceArn (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html)', async () => {
    const { source, dlq } = await deadLettered('e2e-sqs-source-arn', 1);
    const all = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MessageSystemAttributeNames: ['All'],
        VisibilityTimeout: 0,
      }),
    );
    expect(all.Messages?.[0]?.Attributes).toMatchObject({ DeadLetterQueueSourceArn: source.arn });
    const named = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'],
        VisibilityTimeout: 0,
      }),
    );
    expect(named.Messages?.[0]?.Attributes).toEqual({ DeadLetterQueueSourceArn: source.arn });
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
  it('redrives a dead-letter queue back to the source queue its messages came from (StartMessageMoveTask without DestinationArn)', async () => {
    const { source, dlq } = await deadLettered('e2e-sqs-redrive', 3);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    expect(TaskHandle).toEqual(expect.any(String));
    const task = await finished(dlq.arn);
    expect(task).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: dlq.arn,
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
      StartedTimestamp: expect.any(Number),
    });
    expect(task).not.toHaveProperty('TaskHandle'); // only a running task has one
    expect(await counts(dlq.url)).toEqual({ visible: 0, notVisible: 0 });
    expect((await counts(source.url)).visible).toBe(3);
    const back = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    expect((back.Messages ?? []).map((message) => message.Body).sort()).toEqual([
      'message 0',
      'message 1',
      'message 2',
    ]);
  });

  it('moves to DestinationArn no faster than MaxNumberOfMessagesPerSecond', async () => {
    const { dlq } = await deadLettered('e2e-sqs-rate', 4);
    const destination = await queue('e2e-sqs-rate-destination');
    const started = Date.now();
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlq.arn,
        DestinationArn: destination.arn,
        MaxNumberOfMessagesPerSecond: 2,
      }),
    );
    const task = await finished(dlq.arn);
    // 4 messages at 2 per second: at least 1.5 s between the first move and the last.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(task).toMatchObject({
      Status: 'COMPLETED',
      DestinationArn: destination.arn,
      MaxNumberOfMessagesPerSecond: 2,
      ApproximateNumberOfMessagesMoved: 4,
    });
    expect((await counts(destination.url)).visible).toBe(4);
  });

  it('cancels a running task, keeping what it has not moved (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CancelMessageMoveTask.html)', async () => {
    // 6 messages at 1 per second: the task runs for at least 5 s.
    const { source, dlq } = await deadLettered('e2e-sqs-cancel', 6);
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    const [running] = await tasks(dlq.arn, 1);
    expect(running).toMatchObject({
      TaskHandle, // a running task's handle, for CancelMessageMoveTask
      Status: 'RUNNING',
      SourceArn: dlq.arn,
      MaxNumberOfMessagesPerSecond: 1,
      ApproximateNumberOfMessagesToMove: 6,
    });
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const moved = cancelled.ApproximateNumberOfMessagesMoved ?? -1;
    expect(moved).toBeLessThan(6);
    const [task] = await tasks(dlq.arn, 1);
    expect(task).toMatchObject({ Status: 'CANCELLED' });
    expect((await counts(dlq.url)).visible + (await counts(source.url)).visible).toBe(6);
    expect((await counts(dlq.url)).visible).toBe(6 - moved);
  });

  it('answers the move task actions in the query protocol too, with ListMessageMoveTasksResultEntry elements', async () => {
    const { dlq } = await deadLettered('e2e-sqs-query', 1);
    const started = await queryCall({
      Action: 'StartMessageMoveTask',
      SourceArn: dlq.arn,
      MaxNumberOfMessagesPerSecond: '5',
    });
    expect(started.status).toBe(200);
    expect(started.text).toMatch(
      /<StartMessageMoveTaskResult><TaskHandle>[^<]+<\/TaskHandle><\/StartMessageMoveTaskResult>/,
    );
    await finished(dlq.arn);
    const listed = await queryCall({ Action: 'ListMessageMoveTasks', SourceArn: dlq.arn, MaxResults: '10' });
    expect(listed.text).toMatch(
      /<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><Status>COMPLETED<\/Status><SourceArn>[^<]+<\/SourceArn><MaxNumberOfMessagesPerSecond>5<\/MaxNumberOfMessagesPerSecond><ApproximateNumberOfMessagesMoved>1<\/ApproximateNumberOfMessagesMoved>/,
    );
    const missing = await queryCall({ Action: 'CancelMessageMoveTask', TaskHandle: 'bm8tc3VjaC10YXNr' });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<Code>ResourceNotFoundException</Code>');
  });

  it('refuses what StartMessageMoveTask and CancelMessageMoveTask document as errors', async () => {
    // 6 messages at 1 per second: the task below runs for at least 5 s.
    const { dlq, source } = await deadLettered('e2e-sqs-refusals', 6);
    // Only a dead-letter queue of other SQS queues can be a source.
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source.arn }))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
    await expect(
      sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: 'arn:aws:sqs:us-east-1:000000000000:e2e-sqs-no-such-queue',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: dlq.arn,
          DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:e2e-sqs-no-such-queue',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Only one active task per source queue.
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    await expect(
      sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bm8tc3VjaC10YXNr' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
