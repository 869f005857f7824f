import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import MessageValidator from 'sns-validator';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { httpsGet, startEndpoint, startReceiverProcess } from '../support/webhook';

/**
 * SNS HTTP/HTTPS and email subscribers of the local runtime, checked against
 * the Amazon SNS Developer Guide and with AWS's published verifier
 * (sns-validator), not with the runtime's own signing code. This file starts
 * its own runtime: it needs the data directory (certificate, mail) and SNS
 * retry waits scaled down (--sns-delay-scale 0.01: 20 s become 0.2 s).
 */

const SCALE = 0.01;
/** The local runtime's SigningCertURL host, as sns-validator's hostPattern sees it (host:port). */
const LOCAL_CERT_HOSTS = /^127\.0\.0\.1:\d+$/;

let runtime: RuntimeProcess;
let dataDir: string;
let ca: string;
let clients: ReturnType<typeof clientsFor>;
const validator = new MessageValidator(LOCAL_CERT_HOSTS);

/** sns-validator's verdict on a message body. */
const verify = (body: string) =>
  new Promise<Record<string, unknown>>((resolve, reject) =>
    validator.validate(body, (error, message) => (error ? reject(error) : resolve(message ?? {}))),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'e2e-sns-'));
  runtime = await startRuntimeProcess([
    '--data-dir',
    dataDir,
    '--sns-delay-scale',
    String(SCALE),
    '--retry-scale',
    '0.1',
  ]);
  clients = clientsFor(runtime.endpoint);
  ca = readFileSync(join(dataDir, 'sns', 'ca.pem'), 'utf8');
  // What NODE_EXTRA_CA_CERTS does for a process started with it: trust the runtime's CA as well.
  setDefaultCACertificates([...getCACertificates('default'), ca]);
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

let topics = 0;
async function topic(signatureVersion?: '1' | '2'): Promise<string> {
  topics += 1;
  const { TopicArn = '' } = await clients.sns.send(new CreateTopicCommand({ Name: `e2e-sns-${topics}` }));
  if (signatureVersion !== undefined) {
    await clients.sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'SignatureVersion',
        AttributeValue: signatureVersion,
      }),
    );
  }
  return TopicArn;
}

/** Subscribes an endpoint and confirms it through the SubscribeURL it was sent; returns the subscription ARN. */
async function confirmed(
  endpoint: Awaited<ReturnType<typeof startEndpoint>>,
  topicArn: string,
  attributes?: Record<string, string>,
): Promise<string> {
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: endpoint.url,
      ...(attributes ? { Attributes: attributes } : {}),
    }),
  );
  const confirmation = await eventually(
    async () => endpoint.ofType('SubscriptionConfirmation')[0],
    10_000,
    'the SubscriptionConfirmation',
  );
  const { SubscribeURL } = JSON.parse(confirmation.body) as { SubscribeURL: string };
  const answer = await httpsGet(SubscribeURL, ca);
  expect(answer.status).toBe(200);
  return /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(answer.body)?.[1] ?? '';
}

describe('SNS HTTP/HTTPS subscribers', () => {
  // https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html,
  // https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
  // https://docs.aws.amazon.com/sns/latest/dg/http-header.html
  it('sends a signed SubscriptionConfirmation and keeps the subscription pending until its SubscribeURL is visited (SNS guide: "Confirm the subscription", "HTTP/HTTPS subscription confirmation JSON format", "HTTP/HTTPS headers")', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic();
    const { SubscriptionArn } = await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: endpoint.url,
        ReturnSubscriptionArn: true,
      }),
    );
    const [confirmation] = await eventually(
      async () => (endpoint.received.length > 0 ? endpoint.received : undefined),
      10_000,
      'the SubscriptionConfirmation',
    );
    const body = JSON.parse(confirmation?.body ?? '{}') as Record<string, string>;
    expect(confirmation?.headers).toMatchObject({
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': body.MessageId,
      'x-amz-sns-topic-arn': topicArn,
      'content-type': 'text/plain; charset=UTF-8',
    });
    expect(Object.keys(body)).toEqual([
      'Type',
      'MessageId',
      'Token',
      'TopicArn',
      'Message',
      'SubscribeURL',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
    ]);
    expect(body.Type).toBe('SubscriptionConfirmation');
    expect(body.SubscribeURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?Action=ConfirmSubscription&TopicArn=/);
    expect(body.SigningCertURL).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/SimpleNotificationService-[0-9a-f]{32}\.pem$/,
    );
    await expect(verify(confirmation?.body ?? '')).resolves.toMatchObject({
      Type: 'SubscriptionConfirmation',
    });

    const attributes = async () =>
      (await clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes;
    expect(await attributes()).toMatchObject({ PendingConfirmation: 'true', Protocol: 'http' });
    const listed = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(listed.Subscriptions).toEqual([
      expect.objectContaining({ SubscriptionArn: 'PendingConfirmation', Endpoint: endpoint.url }),
    ]);
    const counts = async () => {
      const { Attributes = {} } = await clients.sns.send(
        new GetTopicAttributesCommand({ TopicArn: topicArn }),
      );
      return { confirmed: Attributes.SubscriptionsConfirmed, pending: Attributes.SubscriptionsPending };
    };
    expect(await counts()).toEqual({ confirmed: '0', pending: '1' });
    // Published while pending: SNS does not deliver it.
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'while pending' }));

    const answer = await httpsGet(body.SubscribeURL ?? '', ca);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`<SubscriptionArn>${SubscriptionArn}</SubscriptionArn>`);
    expect(await attributes()).toMatchObject({ PendingConfirmation: 'false' });
    expect(await counts()).toEqual({ confirmed: '1', pending: '0' });

    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'after confirmation' }));
    const [first] = await eventually(
      async () => (endpoint.ofType('Notification').length > 0 ? endpoint.ofType('Notification') : undefined),
      10_000,
      'the notification',
    );
    expect(JSON.parse(first?.body ?? '{}').Message).toBe('after confirmation');
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
  // https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
  it('signs notifications with SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) as the topic says, verified by sns-validator (SNS guide: "HTTP/HTTPS notification JSON format", "Verifying the signatures of Amazon SNS messages")', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic();
    const subscriptionArn = await confirmed(endpoint, topicArn);
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'version one',
        Subject: 'Über',
        MessageAttributes: { colour: { DataType: 'String', StringValue: 'blue' } },
      }),
    );
    await clients.sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'SignatureVersion',
        AttributeValue: '2',
      }),
    );
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'version two' }));
    const notifications = await eventually(
      async () =>
        endpoint.ofType('Notification').length === 2 ? endpoint.ofType('Notification') : undefined,
      10_000,
      'two notifications',
    );
    const [one, two] = notifications.map((entry) => JSON.parse(entry.body) as Record<string, unknown>);
    expect(one).toMatchObject({
      Type: 'Notification',
      Message: 'version one',
      Subject: 'Über',
      SignatureVersion: '1',
      MessageAttributes: { colour: { Type: 'String', Value: 'blue' } },
    });
    expect(two).toMatchObject({ Message: 'version two', SignatureVersion: '2' });
    // Subject only when published with one.
    expect(two).not.toHaveProperty('Subject');
    expect(Object.keys(two ?? {})).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(notifications[0]?.headers).toMatchObject({
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': one?.MessageId,
      'x-amz-sns-topic-arn': topicArn,
      'x-amz-sns-subscription-arn': subscriptionArn,
      'content-type': 'text/plain; charset=UTF-8',
    });
    for (const entry of notifications) await expect(verify(entry.body)).resolves.toBeDefined();
    // A changed message no longer matches its signature, whichever the version.
    for (const entry of notifications) {
      const tampered = JSON.stringify({ ...JSON.parse(entry.body), Message: 'tampered' });
      await expect(verify(tampered)).rejects.toThrow('The message signature is invalid.');
    }
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html,
  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (MessageStructure)
  it('delivers the bare message with x-amz-sns-rawdelivery: true when RawMessageDelivery is on, and the http key of a MessageStructure json message (SNS guide: "Amazon SNS raw message delivery"; Publish API: MessageStructure)', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic();
    const subscriptionArn = await confirmed(endpoint, topicArn);
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', http: 'for http', email: 'for email' }),
      }),
    );
    await eventually(async () => endpoint.ofType('Notification')[0], 10_000, 'the enveloped notification');
    await clients.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'RawMessageDelivery',
        AttributeValue: 'true',
      }),
    );
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', https: 'for https' }),
      }),
    );
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"raw":true}' }));
    const notifications = await eventually(
      async () =>
        endpoint.ofType('Notification').length === 3 ? endpoint.ofType('Notification') : undefined,
      10_000,
      'three notifications',
    );
    expect(JSON.parse(notifications[0]?.body ?? '{}').Message).toBe('for http');
    expect(notifications[0]?.headers['x-amz-sns-rawdelivery']).toBeUndefined();
    // No http key: the default body (the https key is for https subscribers).
    expect(notifications[1]?.body).toBe('for everyone');
    expect(notifications[2]?.body).toBe('{"raw":true}');
    for (const raw of notifications.slice(1)) {
      expect(raw.headers).toMatchObject({
        'x-amz-sns-rawdelivery': 'true',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-subscription-arn': subscriptionArn,
      });
    }
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html
  it('delivers to an https endpoint whose certificate it trusts, with the https key of a MessageStructure json message (SNS guide: "Fanout Amazon SNS notifications to HTTPS endpoints")', async () => {
    // A certificate for 127.0.0.1 issued by the runtime's own CA (the one its HTTPS links use).
    const tls = {
      key: readFileSync(join(dataDir, 'sns', 'tls-key.pem'), 'utf8'),
      cert: readFileSync(join(dataDir, 'sns', 'tls-cert.pem'), 'utf8'),
    };
    const endpoint = await startEndpoint({ tls });
    const topicArn = await topic();
    const { SubscriptionArn } = await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'https',
        Endpoint: endpoint.url,
        ReturnSubscriptionArn: true,
      }),
    );
    const confirmation = await eventually(
      async () => endpoint.ofType('SubscriptionConfirmation')[0],
      10_000,
      'the SubscriptionConfirmation over HTTPS',
    );
    const { Token } = JSON.parse(confirmation.body) as { Token: string };
    // ConfirmSubscription through the API, the handshake's other way.
    const confirmed = await clients.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token }));
    expect(confirmed.SubscriptionArn).toBe(SubscriptionArn);
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', http: 'for http', https: 'for https' }),
      }),
    );
    const notification = await eventually(
      async () => endpoint.ofType('Notification')[0],
      10_000,
      'the notification',
    );
    expect(JSON.parse(notification.body).Message).toBe('for https');
    await expect(verify(notification.body)).resolves.toBeDefined();
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
  it('applies a subscription FilterPolicy to HTTP deliveries, on message attributes or on the body (SNS guide: "Amazon SNS message filtering")', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic();
    await confirmed(endpoint, topicArn, { FilterPolicy: JSON.stringify({ category: ['image'] }) });
    const bodyScoped = await startEndpoint();
    await confirmed(bodyScoped, topicArn, {
      FilterPolicy: JSON.stringify({ type: [{ prefix: 'object.deleted' }] }),
      FilterPolicyScope: 'MessageBody',
    });
    const entry = (id: string, category: string, type: string) => ({
      Id: id,
      Message: JSON.stringify({ type, key: id }),
      MessageAttributes: { category: { DataType: 'String', StringValue: category } },
    });
    // One batch, delivered in order: the first entry of each pair is filtered out.
    await clients.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          entry('document', 'document', 'object.created'),
          entry('photo', 'image', 'object.created'),
          entry('gone', 'document', 'object.deleted'),
        ],
      }),
    );
    const [image] = await eventually(
      async () => (endpoint.ofType('Notification').length > 0 ? endpoint.ofType('Notification') : undefined),
      10_000,
      'the image notification',
    );
    const [deleted] = await eventually(
      async () =>
        bodyScoped.ofType('Notification').length > 0 ? bodyScoped.ofType('Notification') : undefined,
      10_000,
      'the deleted notification',
    );
    expect(JSON.parse(JSON.parse(image?.body ?? '{}').Message).key).toBe('photo');
    expect(JSON.parse(JSON.parse(deleted?.body ?? '{}').Message).key).toBe('gone');
    expect(endpoint.ofType('Notification')).toHaveLength(1);
    expect(bodyScoped.ofType('Notification')).toHaveLength(1);
    await endpoint.close();
    await bodyScoped.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html,
  // https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.retry.html
  it('retries a failing endpoint on the default HTTP/S delivery policy, three retries 20 s apart (scaled), each attempt in the trace (SNS guide: "Amazon SNS message delivery retries", "Set the delivery policy for the Amazon SNS subscription")', async () => {
    const endpoint = await startEndpoint({ fail: { status: 500, times: 2 } });
    const topicArn = await topic();
    const subscriptionArn = await confirmed(endpoint, topicArn);
    const attributes = await clients.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
    );
    expect(JSON.parse(attributes.Attributes?.EffectiveDeliveryPolicy ?? '{}')).toMatchObject({
      healthyRetryPolicy: {
        minDelayTarget: 20,
        maxDelayTarget: 20,
        numRetries: 3,
        backoffFunction: 'linear',
      },
    });
    const { MessageId } = await clients.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'retry me' }),
    );
    const attempts = await eventually(
      async () =>
        endpoint.ofType('Notification').length === 3 ? endpoint.ofType('Notification') : undefined,
      10_000,
      'three attempts',
    );
    expect(attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
    // The same message each time: same id, same signed body.
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    expect(attempts.every((attempt) => attempt.headers['x-amz-sns-message-id'] === MessageId)).toBe(true);
    const waits = attempts.slice(1).map((attempt, index) => attempt.at - (attempts[index]?.at ?? 0));
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(20_000 * SCALE * 0.9);
    const id = MessageId?.slice(0, 8);
    await eventually(
      async () =>
        runtime.output().includes(`Notification ${id}: delivered (attempt 3, HTTP 200)`) ? true : undefined,
      5_000,
      'the delivered line in the trace',
    );
    expect(runtime.output()).toContain(
      `Notification ${id}: attempt 1 failed (HTTP 500); retry 1 of 3 in 0.20 s`,
    );
    expect(runtime.output()).toContain(
      `Notification ${id}: attempt 2 failed (HTTP 500); retry 2 of 3 in 0.20 s`,
    );
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
  it('retries an endpoint that does not answer in time (15 s, scaled, at least 1 s) (SNS guide: "Amazon SNS message delivery retries")', async () => {
    const endpoint = await startEndpoint({ hang: 1 });
    const topicArn = await topic();
    await confirmed(endpoint, topicArn);
    const { MessageId } = await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'slow' }));
    const attempts = await eventually(
      async () =>
        endpoint.ofType('Notification').length === 2 ? endpoint.ofType('Notification') : undefined,
      10_000,
      'the second attempt',
    );
    expect(attempts.map((attempt) => attempt.status)).toEqual([0, 200]);
    // The answer timeout (counted by the runtime from its send, a little before the endpoint logs the
    // request), then the policy's first wait.
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(
      (1_000 + 20_000 * SCALE) * 0.9,
    );
    await eventually(
      async () =>
        runtime
          .output()
          .includes(`Notification ${MessageId?.slice(0, 8)}: attempt 1 failed (no answer within 1 s)`)
          ? true
          : undefined,
      5_000,
      'the timeout in the trace',
    );
    await endpoint.close();
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
  it('moves a message to the RedrivePolicy dead-letter queue once the policy is exhausted: 5xx every time, or the connection refused (SNS guide: "Amazon SNS dead-letter queues")', async () => {
    const endpoint = await startEndpoint({ fail: { status: 503, times: 100 } });
    const topicArn = await topic();
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'e2e-sns-webhook-dlq' }));
    const redrivePolicy = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:e2e-sns-webhook-dlq',
    });
    await confirmed(endpoint, topicArn, { RedrivePolicy: redrivePolicy });
    // A second subscriber, confirmed, then gone: its connections are refused.
    const gone = await startEndpoint();
    await confirmed(gone, topicArn, { RedrivePolicy: redrivePolicy });
    await gone.close();

    const { MessageId } = await clients.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'undeliverable' }),
    );
    const dead: Message[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
        );
        dead.push(...Messages);
        return dead.length >= 2 ? dead : undefined;
      },
      10_000,
      'two dead letters',
    );
    // The first attempt and the policy's three retries, then the queue.
    expect(endpoint.ofType('Notification')).toHaveLength(4);
    expect(dead.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({ Type: 'Notification', MessageId, Message: 'undeliverable' }),
      expect.objectContaining({ Type: 'Notification', MessageId, Message: 'undeliverable' }),
    ]);
    expect(dead.map((message) => message.MessageAttributes?.ErrorMessage?.StringValue).sort()).toEqual([
      'ECONNREFUSED',
      'HTTP 503',
    ]);
    const id = MessageId?.slice(0, 8);
    const exhausted =
      'delivery policy exhausted after 4 attempts, moved to arn:aws:sqs:us-east-1:000000000000:e2e-sns-webhook-dlq';
    expect(runtime.output()).toContain(
      `${endpoint.url}  Notification ${id}: attempt 4 failed (HTTP 503); ${exhausted}`,
    );
    expect(runtime.output()).toContain(
      `${gone.url}  Notification ${id}: attempt 4 failed (ECONNREFUSED); ${exhausted}`,
    );
    await endpoint.close();
  });
});

describe('examples/webhook-receiver', () => {
  // https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html,
  // https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html
  it('confirms its subscription, verifies and prints a pipeline notification, drops a repeat, rejects a tampered body and another topic (SNS guide: "Verifying the signatures of Amazon SNS messages", "Prepare your HTTP/HTTPS endpoint")', async () => {
    const pipelineTopic = 'arn:aws:sns:us-east-1:000000000000:s3-metadata-notifications';
    // Exactly the configuration examples/webhook-receiver/README.md documents.
    const receiver = await startReceiverProcess({
      TOPIC_ARN: pipelineTopic,
      SNS_CERT_HOST_PATTERN: '^127\\.0\\.0\\.1:\\d+$',
      NODE_EXTRA_CA_CERTS: join(dataDir, 'sns', 'ca.pem'),
    });
    // A copy of every message, to replay and tamper with.
    const copy = await startEndpoint();
    await confirmed(copy, pipelineTopic);
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: pipelineTopic, Protocol: 'http', Endpoint: receiver.url }),
    );
    await eventually(
      async () => (receiver.output().includes('✓ subscription confirmed') ? true : undefined),
      10_000,
      'the receiver to confirm',
    );

    const key = 'e2e-sns/receiver.txt';
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: key,
        Body: 'hello webhook\n',
        ContentType: 'text/plain',
      }),
    );
    const printed = await eventually(
      async () =>
        new RegExp(
          `✓ object\\.created s3://uploads/${key} .*id ([0-9a-f]{32})  \\(signature v2 verified\\)`,
        ).exec(receiver.output()) ?? undefined,
      30_000,
      'the receiver to print the object event',
    );
    const item = await clients.item(key);
    expect(String(item?.ExecutionArn)).toContain(printed[1]);

    const delivered = await eventually(
      async () =>
        copy.ofType('Notification').find((entry) => JSON.parse(JSON.parse(entry.body).Message).key === key),
      10_000,
      'the copy of the notification',
    );
    const post = (body: string) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
        body,
      });
    // The same notification again (SNS delivers at least once): accepted, not printed twice.
    expect((await post(delivered.body)).status).toBe(200);
    const original = JSON.parse(delivered.body) as Record<string, string>;
    const tampered = {
      ...original,
      Message: (original.Message ?? '').replace('hello', 'jello').replace(key, `${key}.exe`),
    };
    expect((await post(JSON.stringify(tampered))).status).toBe(403);
    await eventually(
      async () =>
        receiver.output().includes('✗ rejected: The message signature is invalid.') ? true : undefined,
      5_000,
      'the receiver to print the rejection',
    );
    expect(receiver.output()).toContain(`↺ repeat of ${printed[1]} ignored`);
    expect(receiver.output().match(/✓ object\.created/g)).toHaveLength(1);

    // Signed by the runtime but about another topic: refused, not confirmed.
    const other = await topic();
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: other, Protocol: 'http', Endpoint: receiver.url }),
    );
    await eventually(
      async () =>
        receiver.output().includes(`✗ rejected: topic ${other} is not ${pipelineTopic}`) ? true : undefined,
      10_000,
      'the other topic to be rejected',
    );
    await receiver.stop();
    await copy.close();
  });
});

describe('SNS email subscribers', () => {
  // https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
  it('confirm themselves and write each delivery as an RFC 5322 message under <data-dir>/mail: the email text for email, the signed JSON for email-json (SNS guide: "Email notifications")', async () => {
    const topicArn = await topic('2');
    const subscribe = (protocol: string, address: string) =>
      clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: address }));
    const text = await subscribe('email', 'text.reader@example.com');
    const json = await subscribe('email-json', 'json.reader@example.com');
    for (const { SubscriptionArn } of [text, json]) {
      const { Attributes } = await clients.sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn }),
      );
      expect(Attributes?.PendingConfirmation).toBe('false');
    }
    const { MessageId } = await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Report ready: é',
        MessageStructure: 'json',
        Message: JSON.stringify({
          default: '{"kind":"default"}',
          email: 'Dear reader,\nthe report is ready.',
        }),
      }),
    );
    const mailDir = join(dataDir, 'mail');
    const files = await eventually(
      async () => {
        const found = readdirSync(mailDir).filter((name) => name.includes((MessageId ?? '').slice(0, 8)));
        return found.length === 2 ? found : undefined;
      },
      10_000,
      'two .eml files',
    );
    const read = (address: string) => {
      const file = files.find((name) => name.includes(address.replace('@', '_')));
      return readFileSync(join(mailDir, file ?? 'missing'), 'utf8');
    };
    const textMail = read('text.reader@example.com');
    const head = textMail.slice(0, textMail.indexOf('\r\n\r\n'));
    const body = textMail.slice(head.length + 4);
    expect(head).toContain('To: text.reader@example.com');
    expect(head).toContain(`Subject: =?UTF-8?B?${Buffer.from('Report ready: é').toString('base64')}?=`);
    expect(head).toMatch(/^From: "AWS Notifications" <no-reply@sns\.amazonaws\.com>\r\n/);
    expect(head).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n/);
    expect(head).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(body).toMatch(/^Dear reader,\r\nthe report is ready\.\r\n\r\n--\r\nIf you wish to stop receiving/);
    expect(body).toContain('?Action=Unsubscribe&SubscriptionArn=');
    expect(runtime.output()).toContain(
      join(mailDir, files.find((name) => name.includes('text.reader')) ?? ''),
    );

    const jsonMail = read('json.reader@example.com');
    expect(jsonMail).toContain('To: json.reader@example.com');
    // RFC 5322: no line over 998 bytes; a longer JSON line would be sent quoted-printable.
    expect(jsonMail.split('\r\n').every((line) => Buffer.byteLength(line) <= 998)).toBe(true);
    const jsonBody = jsonMail.slice(jsonMail.indexOf('\r\n\r\n') + 4);
    const decoded = jsonMail.includes('Content-Transfer-Encoding: quoted-printable')
      ? Buffer.from(
          jsonBody
            .replace(/=\r\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        ).toString('utf8')
      : jsonBody;
    const document = JSON.parse(decoded.trim()) as Record<string, string>;
    expect(document).toMatchObject({
      Type: 'Notification',
      MessageId,
      Message: '{"kind":"default"}',
      SignatureVersion: '2',
    });
    await expect(verify(JSON.stringify(document))).resolves.toBeDefined();
  });
});

describe('unsubscribing', () => {
  // https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html
  it('through the UnsubscribeURL ends deliveries and sends an UnsubscribeConfirmation whose SubscribeURL restores the subscription (SNS guide: "HTTP/HTTPS unsubscribe confirmation JSON format")', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic();
    const subscriptionArn = await confirmed(endpoint, topicArn);
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'one' }));
    const [notification] = await eventually(
      async () => (endpoint.ofType('Notification').length > 0 ? endpoint.ofType('Notification') : undefined),
      10_000,
      'the notification',
    );
    const { UnsubscribeURL } = JSON.parse(notification?.body ?? '{}') as { UnsubscribeURL: string };
    expect((await httpsGet(UnsubscribeURL, ca)).status).toBe(200);
    const goodbye = await eventually(
      async () => endpoint.ofType('UnsubscribeConfirmation')[0],
      10_000,
      'the UnsubscribeConfirmation',
    );
    const body = JSON.parse(goodbye.body) as Record<string, string>;
    expect(goodbye.headers).toMatchObject({
      'x-amz-sns-message-type': 'UnsubscribeConfirmation',
      'x-amz-sns-subscription-arn': subscriptionArn,
    });
    expect(body).toMatchObject({ Type: 'UnsubscribeConfirmation', TopicArn: topicArn });
    expect(body.Token).toMatch(/^[0-9a-f]+$/);
    const listed = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(listed.Subscriptions ?? []).toEqual([]);

    expect((await httpsGet(body.SubscribeURL ?? '', ca)).status).toBe(200);
    const restored = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(restored.Subscriptions).toEqual([expect.objectContaining({ SubscriptionArn: subscriptionArn })]);
    await endpoint.close();
  });
});

describe('a restart on the same data directory', () => {
  it('keeps the signing certificate, its URL and the confirmed subscriptions', async () => {
    const endpoint = await startEndpoint();
    const topicArn = await topic('2');
    await confirmed(endpoint, topicArn);
    const certificate = readFileSync(join(dataDir, 'sns', 'signing-cert.pem'), 'utf8');
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'before' }));
    const before = await eventually(
      async () => endpoint.ofType('Notification')[0],
      10_000,
      'the first notification',
    );

    expect(await runtime.stop()).toBe(0);
    runtime = await startRuntimeProcess(['--data-dir', dataDir, '--sns-delay-scale', String(SCALE)]);
    clients = clientsFor(runtime.endpoint);

    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'after' }));
    const after = await eventually(
      async () => endpoint.ofType('Notification')[1],
      30_000,
      'the notification after the restart',
    );
    expect(readFileSync(join(dataDir, 'sns', 'signing-cert.pem'), 'utf8')).toBe(certificate);
    expect(JSON.parse(after.body)).toMatchObject({
      Message: 'after',
      SignatureVersion: '2',
      SigningCertURL: JSON.parse(before.body).SigningCertURL,
    });
    await expect(verify(after.body)).resolves.toBeDefined();
    await endpoint.close();
  });
});
