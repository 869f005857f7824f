import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
} from '@aws-sdk/client-sfn';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { subscribe } from '../support/subscriber';
import { STATE_MACHINE_ARN } from './support/harness';

/**
 * A permanent failure, fixed, then redriven
 * (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html):
 * reads under restricted/ are refused (`deny=`, as for an object whose KMS key
 * the pipeline may not use), so the execution fails at DescribeObject and
 * subscribers get one failure notification. The "fix" is a redeploy: the
 * runtime restarts on the same data without the fault. RedriveExecution then
 * continues the same execution at the failed step: the item is written and
 * one notification of the object is published.
 */
describe('redrive after a permanent failure is fixed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'redrive-test-'));
  const KEY = 'restricted/quarterly report.pdf';
  let runtime: RuntimeProcess | undefined;

  afterAll(async () => {
    if (runtime) await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with the item written and one notification of the object, under the same execution ARN', async () => {
    const base = ['--data-dir', dataDir, '--retry-scale', '0.1', '--quiet'];
    runtime = await startRuntimeProcess([...base, '--faults', 'deny=restricted/']);
    let clients = clientsFor(runtime.endpoint);
    let subscriber = await subscribe(clients, 'redrive-subscriber');
    const put = await clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: KEY, Body: 'numbers', ContentType: 'application/pdf' }),
    );

    const failed = await eventually(
      async () => {
        const { executions = [] } = await clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'FAILED' }),
        );
        return executions[0];
      },
      30_000,
      'the execution to fail',
    );
    const executionArn = failed.executionArn ?? '';
    const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      error: 'PermanentError',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    expect(described.cause).toContain('kms:Decrypt');
    // The failure notification, from the execution's status change.
    const failures = await eventually(
      async () => {
        const delivered = (await subscriber.drain()).filter((message) => message.document.key === KEY);
        return delivered.length > 0 ? delivered : undefined;
      },
      15_000,
      'the failure notification',
    );
    expect(failures.map((message) => message.document.type)).toEqual(['object.failed']);
    expect(await clients.item(KEY)).toBeUndefined();

    // The fix: the pipeline is redeployed with the grant (here: restarted on the same data, no fault).
    expect(await runtime.stop()).toBe(0);
    runtime = await startRuntimeProcess(base);
    clients = clientsFor(runtime.endpoint);
    subscriber = await subscribe(clients, 'redrive-subscriber');
    // A failed execution stays FAILED across a restart.
    expect((await clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('FAILED');

    const { redriveDate } = await clients.sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriveDate).toBeInstanceOf(Date);
    await eventually(
      async () => {
        const { status } = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return status === 'SUCCEEDED' ? true : undefined;
      },
      30_000,
      'the redriven execution to succeed',
    );
    expect(await clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven.',
    });
    expect(await clients.item(KEY)).toMatchObject({
      ObjectKey: KEY,
      ETag: (put.ETag ?? '').replace(/"/g, ''),
      ExecutionArn: executionArn,
    });

    // The Notify state publishes before the execution succeeds: the notification is there now.
    const recorded = (await subscriber.drain()).filter((message) => message.document.key === KEY);
    expect(recorded.map((message) => message.document.type)).toEqual(['object.created']);

    // One execution, redriven once: RouteEvent ran once, DescribeObject twice (failed, then redriven).
    const { events = [] } = await clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    const entered = events.flatMap((event) =>
      event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : [],
    );
    expect(entered.filter((name) => name === 'RouteEvent')).toHaveLength(1);
    expect(entered.filter((name) => name === 'DescribeObject')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);

    // A succeeded execution cannot be redriven again.
    await expect(clients.sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
  });
});
