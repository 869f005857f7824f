import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Clients } from './aws-clients';

export interface Delivered {
  subject?: string;
  document: Record<string, unknown> & { id: string; type: string; key: string };
  attributes: Record<string, { Type: string; Value: string }>;
}

/**
 * A subscriber of the notification topic: its own queue, as an SQS subscriber
 * in AWS would have. `drain()` returns everything delivered so far.
 */
export async function subscribe(clients: Clients, name: string) {
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:s3-metadata-notifications',
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    }),
  );
  const delivered: Delivered[] = [];
  return {
    delivered,
    async drain(): Promise<Delivered[]> {
      for (;;) {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return delivered;
        for (const message of Messages) {
          const envelope = JSON.parse(message.Body ?? '{}');
          delivered.push({
            subject: envelope.Subject,
            document: JSON.parse(envelope.Message),
            attributes: envelope.MessageAttributes ?? {},
          });
        }
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    },
  };
}
