import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { awsJson, boto3Json, clientsEndpoint, describeWithClients } from './support/clients';

// Debian's AWS CLI 2.9.19 and boto3 1.26 speak SQS's query protocol (form-encoded, XML answers).
// They predate the message move task API (2023): StartMessageMoveTask is tested through the SDK v3 in
// test/e2e/sqs.test.ts.

interface Queue {
  url: string;
  arn: string;
}

async function queue(
  name: string,
  attributes: Record<string, string> = {},
  endpoint?: string,
): Promise<Queue> {
  const options = endpoint === undefined ? {} : { endpoint };
  const args = ['sqs', 'create-queue', '--queue-name', name];
  if (Object.keys(attributes).length > 0) args.push('--attributes', JSON.stringify(attributes));
  const { QueueUrl } = await awsJson<{ QueueUrl: string }>(args, options);
  const { Attributes } = await awsJson<{ Attributes: { QueueArn: string } }>(
    ['sqs', 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'QueueArn'],
    options,
  );
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function visible(url: string, endpoint?: string): Promise<number> {
  const { Attributes } = await awsJson<{ Attributes: Record<string, string> }>(
    ['sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessages'],
    endpoint === undefined ? {} : { endpoint },
  );
  return Number(Attributes.ApproximateNumberOfMessages);
}

/** A queue whose message is dead-lettered after one receive, and that message dead-lettered. */
async function deadLettered(prefix: string, endpoint?: string): Promise<{ source: Queue; dlq: Queue }> {
  const options = endpoint === undefined ? {} : { endpoint };
  const dlq = await queue(`${prefix}-dlq`, {}, endpoint);
  const source = await queue(
    prefix,
    { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '1' }) },
    endpoint,
  );
  await awsJson(['sqs', 'send-message', '--queue-url', source.url, '--message-body', 'dead letter'], options);
  await eventually(
    async () => {
      await awsJson(
        ['sqs', 'receive-message', '--queue-url', source.url, '--visibility-timeout', '0'],
        options,
      );
      return (await visible(dlq.url, endpoint)) === 1 ? true : undefined;
    },
    30_000,
    `the message in ${prefix}-dlq`,
  );
  return { source, dlq };
}

describeWithClients('SQS through the AWS CLI and boto3 (query protocol)', () => {
  it('counts a message received with --visibility-timeout 0 as visible again at once (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html)', async () => {
    const { url } = await queue('clients-visibility');
    await awsJson(['sqs', 'send-message', '--queue-url', url, '--message-body', 'again']);
    const received = await awsJson<{ Messages: unknown[] }>([
      'sqs',
      'receive-message',
      '--queue-url',
      url,
      '--visibility-timeout',
      '0',
    ]);
    expect(received.Messages).toHaveLength(1);
    expect(await visible(url)).toBe(1);
  });

  it('names the source queue of a dead-lettered message (DeadLetterQueueSourceArn, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html)', async () => {
    const { source, dlq } = await deadLettered('clients-source-arn');
    const cli = await awsJson<{ Messages: { Attributes: Record<string, string> }[] }>([
      'sqs',
      'receive-message',
      '--queue-url',
      dlq.url,
      '--attribute-names',
      'All',
      '--visibility-timeout',
      '0',
    ]);
    expect(cli.Messages[0]?.Attributes.DeadLetterQueueSourceArn).toBe(source.arn);
    const boto = await boto3Json<Record<string, string>>(`
m = client('sqs').receive_message(QueueUrl=${JSON.stringify(dlq.url)}, AttributeNames=['DeadLetterQueueSourceArn'], VisibilityTimeout=0)
out(m['Messages'][0]['Attributes'])`);
    expect(boto).toEqual({ DeadLetterQueueSourceArn: source.arn });
  });

  describe('after a restart on the same --data-dir', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'clients-sqs-'));
    let runtime: RuntimeProcess | undefined;
    afterAll(async () => {
      await runtime?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("answers get-queue-url with this run's endpoint, not the previous run's port (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html)", async () => {
      expect(clientsEndpoint()).toBeDefined();
      runtime = await startRuntimeProcess(['--quiet', '--data-dir', dataDir]);
      const first = runtime.endpoint;
      const { source, dlq } = await deadLettered('clients-restart', first);
      expect(source.url).toBe(`${first}/000000000000/clients-restart`);
      await runtime.stop();

      runtime = await startRuntimeProcess(['--quiet', '--data-dir', dataDir]);
      const second = runtime.endpoint;
      expect(second).not.toBe(first);
      const { QueueUrl } = await awsJson<{ QueueUrl: string }>(
        ['sqs', 'get-queue-url', '--queue-name', 's3-metadata-ingest'],
        { endpoint: second },
      );
      expect(QueueUrl).toBe(`${second}/000000000000/s3-metadata-ingest`);
      const listed = await awsJson<{ QueueUrls: string[] }>(['sqs', 'list-queues'], { endpoint: second });
      expect(listed.QueueUrls.length).toBeGreaterThanOrEqual(4);
      expect(listed.QueueUrls.filter((url) => !url.startsWith(`${second}/`))).toEqual([]);
      // The dead-lettered message still knows where it came from.
      const received = await awsJson<{ Messages: { Attributes: Record<string, string> }[] }>(
        ['sqs', 'receive-message', '--queue-url', dlq.url.replace(first, second), '--attribute-names', 'All'],
        { endpoint: second },
      );
      expect(received.Messages[0]?.Attributes.DeadLetterQueueSourceArn).toBe(source.arn);
      // Two runtime starts and a dozen CLI calls (each 1-8 s on a loaded 2-core machine).
    }, 300_000);
  });
});
