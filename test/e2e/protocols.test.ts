import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { clientsFor } from '../support/aws-clients';
import { e2eEndpoint } from './support/endpoint';

const endpoint = e2eEndpoint();
const { sqs } = clientsFor(endpoint);

/** A query-protocol call as older CLIs and SDKs send it: form-encoded, signed for the sqs scope. */
async function queryCall(params: Record<string, string>, path = '/') {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: response.status, text: await response.text() };
}

describe('one endpoint for every service', () => {
  it('answers the SQS query protocol in XML, as older CLIs and SDKs expect', async () => {
    const created = await queryCall({
      Action: 'CreateQueue',
      QueueName: 'e2e-query-queue',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '7',
    });
    expect(created.status).toBe(200);
    expect(created.text).toContain(
      `<CreateQueueResult><QueueUrl>${endpoint}/000000000000/e2e-query-queue</QueueUrl></CreateQueueResult>`,
    );
    const queueUrl = `${endpoint}/000000000000/e2e-query-queue`;
    const sent = await queryCall({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: 'hello & <goodbye>',
      'MessageAttribute.1.Name': 'color',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'blue',
    });
    expect(sent.text).toMatch(/<SendMessageResult><MessageId>[^<]+<\/MessageId><MD5OfMessageBody>/);
    const attributes = await queryCall({
      Action: 'GetQueueAttributes',
      QueueUrl: queueUrl,
      'AttributeName.1': 'VisibilityTimeout',
    });
    expect(attributes.text).toContain(
      '<Attribute><Name>VisibilityTimeout</Name><Value>7</Value></Attribute>',
    );
    const received = await queryCall({
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      'MessageAttributeName.1': 'All',
      'AttributeName.1': 'All',
    });
    expect(received.text).toContain('<Body>hello &amp; &lt;goodbye&gt;</Body>');
    const attribute = /<MessageAttribute><Name>color<\/Name><Value>(.*?)<\/Value><\/MessageAttribute>/.exec(
      received.text,
    )?.[1];
    expect(attribute).toContain('<StringValue>blue</StringValue>');
    expect(attribute).toContain('<DataType>String</DataType>');
    const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(received.text)?.[1] ?? '';
    const deleted = await queryCall({ Action: 'DeleteMessage', QueueUrl: queueUrl, ReceiptHandle: handle });
    expect(deleted.text).toContain('<DeleteMessageResponse');
  });

  it('answers query-protocol errors in XML with the SQS error code', async () => {
    const missing = await queryCall({ Action: 'GetQueueUrl', QueueName: 'e2e-no-such-queue' });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(
      /<Code>(AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist)<\/Code>/,
    );
  });

  it('answers the SQS JSON protocol and names queues by the edge endpoint', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-json-queue' }));
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'e2e-json-queue' }))).QueueUrl).toBe(
      `${endpoint}/000000000000/e2e-json-queue`,
    );
  });

  it('says clearly when a request is for a service it does not have', async () => {
    const response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      'The local runtime has no "kinesis" service (it has s3, sqs, sns, dynamodb, states, sts)',
    );
  });
});
