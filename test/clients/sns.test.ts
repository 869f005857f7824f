import { eventually } from '../support/runtime-process';
import { startEndpoint } from '../support/webhook';
import { aws, awsErrorCode, awsJson, boto3Json, describeWithClients } from './support/clients';

// SNS HTTP and email subscriptions through clients the project did not write.
describeWithClients('SNS subscribers through the AWS CLI and boto3', () => {
  it('subscribes an HTTP endpoint, confirms it with the token, publishes, switches to raw delivery and unsubscribes (Subscribe, ConfirmSubscription, Publish, SetSubscriptionAttributes, Unsubscribe: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html)', async () => {
    const endpoint = await startEndpoint();
    const { TopicArn } = await awsJson<{ TopicArn: string }>([
      'sns',
      'create-topic',
      '--name',
      'clients-webhook',
    ]);
    const subscribed = await awsJson<{ SubscriptionArn: string }>([
      'sns',
      'subscribe',
      '--topic-arn',
      TopicArn,
      '--protocol',
      'http',
      '--notification-endpoint',
      endpoint.url,
    ]);
    expect(subscribed.SubscriptionArn).toBe('pending confirmation');
    const confirmation = await eventually(
      async () => endpoint.ofType('SubscriptionConfirmation')[0],
      10_000,
      'the SubscriptionConfirmation',
    );
    const { Token } = JSON.parse(confirmation.body) as { Token: string };
    const { SubscriptionArn } = await awsJson<{ SubscriptionArn: string }>([
      'sns',
      'confirm-subscription',
      '--topic-arn',
      TopicArn,
      '--token',
      Token,
    ]);
    const listed = await awsJson<{ Subscriptions: { SubscriptionArn: string; Protocol: string }[] }>([
      'sns',
      'list-subscriptions-by-topic',
      '--topic-arn',
      TopicArn,
    ]);
    expect(listed.Subscriptions).toEqual([expect.objectContaining({ SubscriptionArn, Protocol: 'http' })]);

    await awsJson([
      'sns',
      'publish',
      '--topic-arn',
      TopicArn,
      '--message',
      'from the CLI',
      '--subject',
      'Hello',
    ]);
    const enveloped = await eventually(
      async () => endpoint.ofType('Notification')[0],
      10_000,
      'the notification',
    );
    expect(JSON.parse(enveloped.body)).toMatchObject({ Message: 'from the CLI', Subject: 'Hello' });

    await awsJson([
      'sns',
      'set-subscription-attributes',
      '--subscription-arn',
      SubscriptionArn,
      '--attribute-name',
      'RawMessageDelivery',
      '--attribute-value',
      'true',
    ]);
    await awsJson(['sns', 'publish', '--topic-arn', TopicArn, '--message', 'raw from the CLI']);
    const raw = await eventually(
      async () => endpoint.ofType('Notification')[1],
      10_000,
      'the raw notification',
    );
    expect(raw.body).toBe('raw from the CLI');
    expect(raw.headers['x-amz-sns-rawdelivery']).toBe('true');

    await awsJson(['sns', 'unsubscribe', '--subscription-arn', SubscriptionArn]);
    await eventually(
      async () => endpoint.ofType('UnsubscribeConfirmation')[0],
      10_000,
      'the UnsubscribeConfirmation',
    );
    const gone = await aws(['sns', 'get-subscription-attributes', '--subscription-arn', SubscriptionArn]);
    expect(awsErrorCode(gone)).toBe('NotFound');
    await endpoint.close();
  });

  it('refuses an endpoint that does not match its protocol, and an email subscription is confirmed at once (boto3; Subscribe errors: InvalidParameter)', async () => {
    const { TopicArn } = await awsJson<{ TopicArn: string }>([
      'sns',
      'create-topic',
      '--name',
      'clients-email',
    ]);
    const wrong = await aws([
      'sns',
      'subscribe',
      '--topic-arn',
      TopicArn,
      '--protocol',
      'https',
      '--notification-endpoint',
      'http://127.0.0.1:9/plain-http',
    ]);
    expect(awsErrorCode(wrong)).toBe('InvalidParameter');
    const attributes = await boto3Json<Record<string, string>>(
      [
        "sns = client('sns')",
        `arn = sns.subscribe(TopicArn='${TopicArn}', Protocol='email', Endpoint='reader@example.com', ReturnSubscriptionArn=True)['SubscriptionArn']`,
        "out(sns.get_subscription_attributes(SubscriptionArn=arn)['Attributes'])",
      ].join('\n'),
    );
    expect(attributes).toMatchObject({
      Protocol: 'email',
      Endpoint: 'reader@example.com',
      PendingConfirmation: 'false',
    });
  });
});
