import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:s3-metadata-notifications';
const TAP = 'arn:aws:sqs:us-east-1:000000000000:s3-metadata-notifications-tap';

async function tapSubscriptions(runtime: RuntimeProcess): Promise<number> {
  const { Subscriptions = [] } = await clientsFor(runtime.endpoint).sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }),
  );
  return Subscriptions.filter((subscription) => subscription.Endpoint === TAP).length;
}

/**
 * The runtime's own subscription to the topic exists for the live trace (and
 * the demo): with --quiet nothing is spent on it, even in a data directory
 * where an earlier run had it.
 */
describe('the notification tap', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-test-'));
  let running: RuntimeProcess | undefined;
  afterAll(async () => {
    if (running) await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints notifications when the trace is on, and is gone after a restart with --quiet', async () => {
    running = await startRuntimeProcess(['--data-dir', dataDir]);
    expect(await tapSubscriptions(running)).toBe(1);
    await clientsFor(running.endpoint).s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'tap/first.txt', Body: 'first' }),
    );
    const traced = running;
    await eventually(
      async () =>
        /✉ object.created\s+s3:\/\/uploads\/tap\/first\.txt/.test(traced.output()) ? true : undefined,
      30_000,
      'the notification in the trace',
    );
    expect(await running.stop()).toBe(0);

    running = await startRuntimeProcess(['--data-dir', dataDir, '--quiet']);
    expect(await tapSubscriptions(running)).toBe(0);
    // The pipeline itself is unchanged.
    const clients = clientsFor(running.endpoint);
    await clients.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'tap/second.txt', Body: 'second' }));
    await eventually(() => clients.item('tap/second.txt'), 30_000, 'the second item');
  });
});
