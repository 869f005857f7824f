/**
 * The canonical error policy of the workflow's Task states. The definition
 * file stays plain ASL (pasteable into Workflow Studio, readable in the
 * console), so each Task spells its Retry and Catch out in full;
 * `test/workflow/definition.test.ts` compares every Task with these and names
 * the state and the difference when one drifts. Why a test rather than a
 * generated file: see docs/architecture.md, "The definition file".
 */

/** Task timeout: twice the functions' 30 s timeout, so Lambda's own timeout (Sandbox.Timedout) comes first. */
export const TASK_TIMEOUT_SECONDS = 60;

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
    MaxDelaySeconds: 30,
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
    MaxDelaySeconds: 20,
    JitterStrategy: 'FULL',
  },
] as const;

/** Catch of a Task that reads the object (DescribeObject, every enrichment stage): gone and overwritten are endings, not failures. */
export const CATCH_OBJECT_READER = [
  { ErrorEquals: ['ObjectNotFoundError'], ResultPath: '$.error', Next: 'ObjectGone' },
  { ErrorEquals: ['SupersededError'], ResultPath: '$.error', Next: 'Superseded' },
  { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' },
] as const;

/** Catch of the other Tasks of the main path (writes, notification). */
export const CATCH_MAIN_PATH = [
  { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' },
] as const;

/** Catch of the failure path's own notification: a failure to notify still ends in the Fail state. */
export const CATCH_FAILURE_PATH = [
  { ErrorEquals: ['States.ALL'], ResultPath: '$.failureNotificationError', Next: 'Failed' },
] as const;
