import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';

// docs/operations.md, "Dead letters": once the cause is fixed, `aws sqs start-message-move-task
// --source-arn <dead-letter queue ARN>` moves the events back to the ingest queue
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html),
// and they are recorded as if nothing had happened.
describe('dead-letter redrive, as docs/operations.md tells an operator to do it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dlq-redrive-'));
  let runtime: RuntimeProcess | undefined;
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records an upload whose event was dead-lettered while Step Functions throttled every start, once redriven', async () => {
    const common = ['--quiet', '--data-dir', dataDir, '--visibility-timeout', '1', '--retry-scale', '0.1'];
    // Every pipeline call throttled: the starter cannot start the execution, 5 receives, dead letter.
    runtime = await startRuntimeProcess([...common, '--faults', 'throttle=1']);
    let clients = clientsFor(runtime.endpoint);
    await clients.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'redrive/late.txt', Body: 'late' }));
    const dlqArn = async () => {
      const { QueueUrl } = await clients.sqs.send(
        new GetQueueUrlCommand({ QueueName: 's3-metadata-ingest-dlq' }),
      );
      const { Attributes = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
        }),
      );
      return { arn: Attributes.QueueArn ?? '', messages: Number(Attributes.ApproximateNumberOfMessages) };
    };
    await eventually(
      async () => ((await dlqArn()).messages === 1 ? true : undefined),
      90_000,
      'the event in the dead-letter queue',
    );
    expect(await clients.item('redrive/late.txt')).toBeUndefined();
    await runtime.stop();

    // The cause fixed (no more faults), the operator redrives.
    runtime = await startRuntimeProcess(common);
    clients = clientsFor(runtime.endpoint);
    const { arn } = await dlqArn();
    await clients.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
    const item = await eventually(
      async () => clients.item('redrive/late.txt'),
      60_000,
      'the item of the redriven event',
    );
    expect(item).toMatchObject({ Status: 'present', FileSize: 4 });
    const { Results = [] } = await clients.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn }));
    expect(Results[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    expect((await dlqArn()).messages).toBe(0);
  });
});
