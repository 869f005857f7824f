import { randomUUID } from 'node:crypto';
import type { LambdaHandler } from './lambda-invoke';
import type { ExecutionEvent, ExecutionRecord, ExecutionStatus } from './step-functions';

/**
 * Step Functions' execution status change events, as EventBridge delivers
 * them (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html):
 * the stack sends the failed ones (FAILED, TIMED_OUT, ABORTED) to
 * publish-notification through an EventBridge rule; the local runtime and the
 * workflow tests build the same event here and hand it to the same handler.
 */

/** The statuses whose change event becomes a failure notification. */
export const FAILURE_STATUSES: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** The fields of an execution the event carries. */
export type StatusChangeSource = Pick<
  ExecutionRecord,
  'arn' | 'name' | 'stateMachineArn' | 'status' | 'input' | 'startDate'
> &
  Partial<Pick<ExecutionRecord, 'output' | 'error' | 'cause' | 'stopDate' | 'redriveCount'>>;

/** The event of one execution's (new) status; dates in the event are epoch milliseconds. */
export function executionStatusChange(execution: StatusChangeSource, region: string, account: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: new Date((execution.stopDate ?? execution.startDate) * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: Math.round(execution.startDate * 1000),
      stopDate: execution.stopDate === undefined ? null : Math.round(execution.stopDate * 1000),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output ?? null,
      outputDetails: execution.output === undefined ? null : { included: true },
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      redriveCount: execution.redriveCount ?? 0,
    },
  };
}

/**
 * An execution listener that plays EventBridge's part locally: each execution
 * that ends FAILED, TIMED_OUT or ABORTED is handed to `handler` as its status
 * change event. EventBridge retries a failed delivery (with backoff, up to 24
 * hours); here a few attempts, then the failure is logged.
 */
export function forwardFailures(
  handler: LambdaHandler,
  options: { region: string; account: string; log: (line: string) => void; attempts?: number },
): (execution: ExecutionRecord, event: ExecutionEvent) => void {
  const attempts = options.attempts ?? 3;
  return (execution, event) => {
    if (event.type !== 'Finished' || !FAILURE_STATUSES.includes(execution.status)) return;
    const notice = executionStatusChange(execution, options.region, options.account);
    void (async () => {
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        try {
          await handler(notice);
          return;
        } catch (error) {
          if (attempt === attempts) {
            options.log(
              `failure notification of ${execution.arn} not delivered: ${error instanceof Error ? error.message : String(error)}`,
            );
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt).unref());
        }
      }
    })();
  };
}
