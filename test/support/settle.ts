import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { eventId, executionName } from '../../functions/core/execution-name';
import { eventually } from './runtime-process';

/**
 * Positive signals that the pipeline has nothing left to do, for tests that
 * must show that something does NOT happen (no second item, no second
 * notification): instead of sleeping and hoping, they wait (bounded) until
 * every message is consumed and every execution concerned has ended.
 */

/**
 * Waits until a queue holds no message, visible, delayed or in flight (received
 * and neither deleted nor back after its visibility timeout). The counts come
 * from GetQueueAttributes:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-resources-required-process-messages.html
 * (approximate in AWS; exact in the local runtime's SQS).
 */
export async function queueEmpty(sqs: SQSClient, queueUrl: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const left =
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
      return left === 0 ? true : undefined;
    },
    timeoutMs,
    `the queue ${queueUrl.split('/').at(-1)} to be empty`,
  );
}

/** Every execution of a state machine (all pages of ListExecutions), optionally of one status. */
export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  statusFilter?: ExecutionStatus,
): Promise<ExecutionListItem[]> {
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter, maxResults: 1000, nextToken }),
    );
    executions.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return executions;
}

/** The key an execution's input names (`object.key`, the decoded S3 key the starter gives it). */
function keyOf(execution: DescribeExecutionCommandOutput): string | undefined {
  const input = JSON.parse(execution.input ?? '{}') as { object?: { key?: unknown } };
  return typeof input.object?.key === 'string' ? input.object.key : undefined;
}

/**
 * The executions started for one S3 key, described. Executions are named
 * deterministically (functions/core/execution-name.ts): a readable prefix of
 * the key's last segment, then a hash of the event. The sequencer is not known
 * to the client, so the names are listed by that prefix and each one's input
 * tells its key.
 */
export async function executionsOfKey(
  sfn: SFNClient,
  stateMachineArn: string,
  key: string,
  statusFilter?: ExecutionStatus,
): Promise<DescribeExecutionCommandOutput[]> {
  // The name ends with the event id; what comes before it depends on the key alone.
  const anyEvent = { bucket: '', key, sequencer: '0' };
  const prefix = executionName(anyEvent).slice(0, -eventId(anyEvent).length);
  const named = (await listExecutions(sfn, stateMachineArn, statusFilter)).filter((execution) =>
    (execution.name ?? '').startsWith(prefix),
  );
  const described = await Promise.all(
    named.map((execution) =>
      sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn })),
    ),
  );
  return described.filter((execution) => keyOf(execution) === key);
}

/**
 * Waits until no execution is RUNNING: of one key when `key` is given, else of
 * any key (ListExecutions with a status filter:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html).
 */
export async function noExecutionRunning(
  sfn: SFNClient,
  stateMachineArn: string,
  { key, timeoutMs = 30_000 }: { key?: string; timeoutMs?: number } = {},
): Promise<void> {
  await eventually(
    async () => {
      const running =
        key === undefined
          ? await listExecutions(sfn, stateMachineArn, 'RUNNING')
          : await executionsOfKey(sfn, stateMachineArn, key, 'RUNNING');
      return running.length === 0 ? true : undefined;
    },
    timeoutMs,
    key === undefined ? 'every execution to end' : `the executions of ${key} to end`,
  );
}
