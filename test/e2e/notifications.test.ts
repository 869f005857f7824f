import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
} from '@aws-sdk/client-sns';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { noExecutionRunning } from '../support/settle';
import { subscribe } from '../support/subscriber';
import { e2eEndpoint } from './support/endpoint';

const clients = clientsFor(e2eEndpoint());
const PREFIX = 'e2e-notifications';

describe('notifications', () => {
  it('reach a queue subscriber as the JSON document, with filterable attributes and a stable id', async () => {
    const subscriber = await subscribe(clients, 'e2e-notification-subscriber');
    const png = readFileSync(join(__dirname, '..', '..', 'local', 'samples', 'photo.png'));
    const key = `${PREFIX}/photo one.png`;
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: png, ContentType: 'image/png' }),
    );
    const [created] = await eventually(
      async () => {
        const found = (await subscriber.drain()).filter((d) => d.document.key === key);
        return found.length > 0 ? found : undefined;
      },
      30_000,
      'the created notification',
    );
    expect(created?.subject).toBe(`New object: s3://uploads/${key}`);
    // SNS sends queue subscribers the "default" body of a json-structured message, not the structure.
    expect(created?.document).toMatchObject({
      schemaVersion: '1.0',
      type: 'object.created',
      bucket: 'uploads',
      key,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      object: {
        size: png.length,
        contentType: 'image/png',
        enrichment: { Category: 'image', DetectedContentType: 'image/png' },
      },
    });
    expect(created?.attributes).toMatchObject({
      bucket: { Type: 'String', Value: 'uploads' },
      key: { Type: 'String', Value: key },
      eventType: { Type: 'String', Value: 'created' },
      contentType: { Type: 'String', Value: 'image/png' },
      category: { Type: 'String', Value: 'image' },
      size: { Type: 'Number', Value: String(png.length) },
    });
    const item = await clients.item(key);
    expect(created?.document.id).toBe(String(item?.ExecutionArn).split('-').at(-1));

    await clients.s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: key }));
    const deleted = await eventually(
      async () => {
        const found = (await subscriber.drain()).find(
          (d) => d.document.key === key && d.document.type === 'object.deleted',
        );
        return found;
      },
      30_000,
      'the deleted notification',
    );
    expect(deleted.attributes.eventType).toEqual({ Type: 'String', Value: 'deleted' });
    // One each, and no more once the executions of the key (both have started: both notified) have ended.
    const { stateMachineArn = '' } = await clients.sfn.send(
      new DescribeExecutionCommand({ executionArn: String(item?.ExecutionArn) }),
    );
    await noExecutionRunning(clients.sfn, stateMachineArn, { key });
    await subscriber.drain();
    expect(subscriber.delivered.filter((d) => d.document.key === key).map((d) => d.document.type)).toEqual([
      'object.created',
      'object.deleted',
    ]);
  });
});

// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html: SignatureVersion 1 (SHA1) or 2 (SHA256).
describe('topic SignatureVersion', () => {
  it('is 1 or 2; any other value is refused with InvalidParameter', async () => {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: 'e2e-signature-version' }));
    await clients.sns.send(
      new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }),
    );
    await expect(
      clients.sns.send(
        new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '3' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const { Attributes } = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(Attributes?.SignatureVersion).toBe('2');
  });
});
