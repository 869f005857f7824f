import { PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { executionName } from '../../../functions/core/execution-name';
import { SUBSCRIBED_EVENT_TYPES } from '../../../functions/core/names';
import { parseNotificationBody } from '../../../functions/core/s3-event';
import { clientsFor } from '../../support/aws-clients';
import { eventually, type RuntimeProcess } from '../../support/runtime-process';
import { noExecutionRunning, queueEmpty } from '../../support/settle';
import { subscribe } from '../../support/subscriber';

const ACCOUNT = '000000000000';
export const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:metadata-pipeline`;

/**
 * What the reliability scenarios share: real S3 events captured from a
 * "staging" bucket (so a test can deliver them to the ingest queue as often
 * and in whatever order it wants), a notification subscriber, and waits on
 * executions, each bounded.
 */
export async function harness(runtime: RuntimeProcess, name: string) {
  const clients = clientsFor(runtime.endpoint);
  const queueUrl = (queue: string) => `${runtime.endpoint}/${ACCOUNT}/${queue}`;
  const captureQueue = `${name}-capture`;
  await clients.sqs.send(new CreateQueueCommand({ QueueName: captureQueue }));
  // staging's events go to the capture queue, not to the pipeline: the test delivers them itself.
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'staging',
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${captureQueue}`,
            Events: [...SUBSCRIBED_EVENT_TYPES.always, ...SUBSCRIBED_EVENT_TYPES.removals],
          },
        ],
      },
    }),
  );
  const subscriber = await subscribe(clients, `${name}-subscriber`);
  const captured: string[] = [];

  return {
    clients,
    subscriber,
    ingestUrl: queueUrl('s3-metadata-ingest'),
    deadLetterUrl: queueUrl('s3-metadata-ingest-dlq'),

    /** The next `count` S3 event bodies of the staging bucket, in the order S3 sent them. */
    async captureEvents(count: number): Promise<string[]> {
      await eventually(
        async () => {
          const { Messages = [] } = await clients.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl(captureQueue), MaxNumberOfMessages: 10 }),
          );
          for (const message of Messages)
            if (!(message.Body ?? '').includes('s3:TestEvent')) captured.push(message.Body ?? '');
          return captured.length >= count ? true : undefined;
        },
        20_000,
        `${count} captured S3 events`,
      );
      return captured.splice(0, count);
    },

    /** Sends bodies to the ingest queue, all at once (one batch). */
    async deliver(bodies: readonly string[]): Promise<void> {
      for (let start = 0; start < bodies.length; start += 10) {
        await clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl('s3-metadata-ingest'),
            Entries: bodies
              .slice(start, start + 10)
              .map((body, index) => ({ Id: String(start + index), MessageBody: body })),
          }),
        );
      }
    },

    /** The execution ARN an S3 event body starts. */
    executionArnOf(body: string): string {
      const parsed = parseNotificationBody(body);
      if (parsed.kind !== 'events' || parsed.events[0] === undefined) throw new Error('not an S3 event');
      return `arn:aws:states:us-east-1:${ACCOUNT}:execution:metadata-pipeline:${executionName(parsed.events[0])}`;
    },

    /** Waits until an execution has ended; returns its description and history. */
    async settled(executionArn: string, timeoutMs = 30_000) {
      const execution = await eventually(
        async () => {
          const described = await clients.sfn
            .send(new DescribeExecutionCommand({ executionArn }))
            .catch(() => undefined);
          return described !== undefined && described.status !== 'RUNNING' ? described : undefined;
        },
        timeoutMs,
        `execution ${executionArn.split(':').at(-1)} to end`,
      );
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const output = JSON.parse(execution.output ?? '{}') as {
        outcome?: { status?: string };
        write?: { result?: { status?: string } };
      };
      return {
        execution,
        events,
        outcome: output.outcome?.status ?? output.write?.result?.status ?? execution.status,
      };
    },

    /** Waits until the ingest queue holds no message, visible or in flight: every delivery has reached the starter. */
    async ingestDrained(timeoutMs = 30_000): Promise<void> {
      await queueEmpty(clients.sqs, queueUrl('s3-metadata-ingest'), timeoutMs);
    },

    /**
     * Every notification delivered for a key, counted once nothing more can
     * come: the ingest queue is empty (every event has its execution) and no
     * execution of the key is running (each has published what it will; the
     * local SNS, fauxqs, puts a message in its SQS subscriptions before Publish answers).
     */
    async notificationsFor(key: string, timeoutMs = 30_000) {
      await queueEmpty(clients.sqs, queueUrl('s3-metadata-ingest'), timeoutMs);
      await noExecutionRunning(clients.sfn, STATE_MACHINE_ARN, { key, timeoutMs });
      return (await subscriber.drain()).filter((delivered) => delivered.document.key === key);
    },
  };
}

/** Every order of a list (for small lists). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}
