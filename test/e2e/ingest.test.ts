import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

const endpoint = e2eEndpoint();
const clients = clientsFor(endpoint);
const INGEST = `${endpoint}/000000000000/s3-metadata-ingest`;
const DLQ = `${endpoint}/000000000000/s3-metadata-ingest-dlq`;

describe('the ingest queue', () => {
  it('acknowledges an s3:TestEvent and dead-letters malformed messages, while the upload next to them is recorded', async () => {
    const garbage = `not an S3 event ${Date.now()}`;
    const missingField = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: '2026-11-25T10:00:00Z',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'uploads' }, object: { key: 'e2e-ingest/no-sequencer.txt' } },
        },
      ],
    });
    const testEvent = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: new Date().toISOString(),
      Bucket: 'uploads',
      RequestId: 'e2e',
      HostId: 'e2e',
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: INGEST, MessageBody: garbage }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: INGEST, MessageBody: testEvent }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: INGEST, MessageBody: missingField }));
    const put = await clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'e2e-ingest/neighbour.txt', Body: 'still recorded' }),
    );

    await eventually(
      async () =>
        (await clients.item('e2e-ingest/neighbour.txt'))?.ETag === put.ETag?.replace(/"/g, '')
          ? true
          : undefined,
      30_000,
      'the neighbouring upload',
    );

    // Bad messages are retried maxReceiveCount (5) times, one visibility timeout (1 s here) apart.
    const dead = new Set<string>();
    await eventually(
      async () => {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: DLQ, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
        );
        for (const message of Messages) dead.add(message.Body ?? '');
        return dead.has(garbage) && dead.has(missingField) ? true : undefined;
      },
      60_000,
      'both bad messages in the dead-letter queue',
    );
    expect(dead.has(testEvent)).toBe(false);
  });
});
