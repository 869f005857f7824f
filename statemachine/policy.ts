/**
 * The canonical error policy of the workflow's Task states. The definition
 * file stays plain ASL (pasteable into Workflow Studio, readable in the
 * console), so each Task spells its Retry and Catch out in full;
 * `test/workflow/definition.test.ts` compares every Task with these and names
 * the state and the difference when one drifts. Why a test rather than a
 * generated file: see docs/architecture.md, "The definition file".
 */

/**
 * The timeout of the workflow's functions (the CDK stack sets it): each
 * makes a few SDK calls of one attempt and reads at most the object's first
 * bytes, in well under a second; 10 s leaves room for a slow call and keeps
 * the worst-case retry budget short (see EXPRESS_MAX_SECONDS).
 */
export const STEP_FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * Task timeout: a backstop just above the functions' timeout, so Lambda's
 * own timeout (Sandbox.Timedout) normally comes first.
 */
export const TASK_TIMEOUT_SECONDS = 13;

/**
 * An EXPRESS execution runs for at most five minutes
 * (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html):
 * one Task's whole retry budget must end before that, so that a step that
 * keeps failing ends the execution FAILED with its own error, not TIMED_OUT.
 */
export const EXPRESS_MAX_SECONDS = 300;

/**
 * Retry of every Lambda Task: throttling waits longer and more often than
 * other transient faults; full jitter spreads a burst's retries
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * MaxAttempts counts retries, not attempts.
 */
export const TASK_RETRY = [
  {
    ErrorEquals: ['ThrottledError', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 1,
    BackoffRate: 2,
    MaxAttempts: 8,
    MaxDelaySeconds: 10,
    JitterStrategy: 'FULL',
  },
  {
    ErrorEquals: [
      'TransientError',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.ClientExecutionTimeoutException',
      'Lambda.Unknown',
      'Runtime.ExitError',
      'Sandbox.Timedout',
      'States.Timeout',
    ],
    IntervalSeconds: 1,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 10,
    JitterStrategy: 'FULL',
  },
] as const;

/**
 * The longest one Task can take with {@link TASK_RETRY}: every attempt runs
 * to the Task timeout, every wait is the longest the backoff allows
 * (interval x rate^n, capped by MaxDelaySeconds; full jitter only shortens it).
 * Each retrier counts its own attempts, so the worst case uses them all.
 */
export function worstCaseTaskSeconds(
  retry: readonly {
    IntervalSeconds: number;
    BackoffRate: number;
    MaxAttempts: number;
    MaxDelaySeconds: number;
  }[] = TASK_RETRY,
  timeoutSeconds = TASK_TIMEOUT_SECONDS,
): number {
  let attempts = 1;
  let waits = 0;
  for (const retrier of retry) {
    attempts += retrier.MaxAttempts;
    for (let n = 0; n < retrier.MaxAttempts; n += 1) {
      waits += Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** n, retrier.MaxDelaySeconds);
    }
  }
  return attempts * timeoutSeconds + waits;
}

/**
 * Catch of a Task that reads the object (DescribeObject, every enrichment
 * stage): gone and overwritten are endings, not failures. Nothing else is
 * caught, here or on any Task: a failure fails the execution AT the Task
 * that failed, so that RedriveExecution (the console's Redrive), which
 * resumes at the unsuccessful state, re-runs that step once its cause is
 * fixed (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
 * A Catch into a notification and a Fail state would make the Fail state the
 * one redriven, failing again. Subscribers still hear of each failure: the
 * stack notifies from the execution's status change event (FAILED,
 * TIMED_OUT, ABORTED); see createFailureNotices in cdk/metadata-pipeline.ts.
 */
export const CATCH_OBJECT_READER = [
  { ErrorEquals: ['ObjectNotFoundError'], ResultPath: '$.error', Next: 'ObjectGone' },
  { ErrorEquals: ['SupersededError'], ResultPath: '$.error', Next: 'Superseded' },
] as const;

/** Catch of the other Tasks (writes, notification): none, see {@link CATCH_OBJECT_READER}. */
export const CATCH_MAIN_PATH = undefined;
