/**
 * What happened to each state of one execution, read from its history as
 * GetExecutionHistory returns it (the events the Step Functions console's
 * graph and table are drawn from).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */

/** How a state is coloured: as the Step Functions console does, plus "retried" (succeeded after retries). */
export type StateOutcome = 'succeeded' | 'retried' | 'caught' | 'failed' | 'running' | 'not-entered';

/** One failed attempt that the state's Retry tried again, after `waitSeconds`. */
export interface RetryAttempt {
  attempt: number;
  error: string;
  cause: string;
  failedAt: number;
  retriedAt: number;
  waitSeconds: number;
}

export interface StateRun {
  name: string;
  type: string;
  outcome: StateOutcome;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  /** The last error of the state (caught, or the one that failed the execution). */
  error?: string;
  cause?: string;
  /** The state a Catch sent the execution to. */
  caughtBy?: string;
  retries: RetryAttempt[];
}

/** A history event as GetExecutionHistory returns it (only the fields read here are typed). */
export interface HistoryEvent {
  id: number;
  type: string;
  timestamp: number;
  stateEnteredEventDetails?: { name: string; input?: string };
  stateExitedEventDetails?: { name: string; output?: string };
  taskFailedEventDetails?: { error?: string; cause?: string };
  executionFailedEventDetails?: { error?: string; cause?: string };
  [field: string]: unknown;
}

/** The definition's states (name and type), enough to list the states never entered. */
export type StateTypes = Readonly<Record<string, { Type: string }>>;

/** Each state of the definition with what this execution did in it, in the definition's order. */
export function stateRuns(
  states: StateTypes,
  events: readonly HistoryEvent[],
  executionStatus: string,
): StateRun[] {
  const runs = new Map<string, StateRun>(
    Object.entries(states).map(([name, state]) => [
      name,
      { name, type: state.Type, outcome: 'not-entered', retries: [] },
    ]),
  );
  let current: StateRun | undefined;
  let failure: { error: string; cause: string; at: number } | undefined;
  /** A state whose failure a Catch took: the next state entered is where it went. */
  let caught: StateRun | undefined;
  for (const event of events) {
    const entered = event.stateEnteredEventDetails;
    if (entered !== undefined && event.type.endsWith('StateEntered')) {
      // A state left without exiting, after a failure, was caught: its Catch chose this state.
      if (current !== undefined && current.outcome === 'running' && failure !== undefined) {
        current.outcome = 'caught';
        current.error = failure.error;
        current.cause = failure.cause;
        current.caughtBy = entered.name;
      }
      if (caught !== undefined) caught.caughtBy = entered.name;
      caught = undefined;
      const run = runs.get(entered.name) ?? {
        name: entered.name,
        type: event.type.replace('StateEntered', ''),
        outcome: 'not-entered',
        retries: [],
      };
      runs.set(entered.name, run);
      // Entered again (after a redrive): this run replaces the last one, retries are kept.
      run.outcome = 'running';
      run.enteredAt = event.timestamp;
      run.input = entered.input;
      delete run.output;
      delete run.exitedAt;
      current = run;
      failure = undefined;
      continue;
    }
    const exited = event.stateExitedEventDetails;
    if (exited !== undefined && event.type.endsWith('StateExited')) {
      const run = runs.get(exited.name);
      if (run !== undefined && failure !== undefined) {
        // Exited with its last attempt failed (not retried): a Catch took the error on.
        run.outcome = 'caught';
        run.error = failure.error;
        run.cause = failure.cause;
        run.exitedAt = event.timestamp;
        run.output = exited.output;
        caught = run;
      } else if (run !== undefined) {
        run.outcome = run.retries.length > 0 ? 'retried' : 'succeeded';
        run.exitedAt = event.timestamp;
        run.output = exited.output;
      }
      failure = undefined;
      continue;
    }
    switch (event.type) {
      case 'TaskFailed':
      case 'LambdaFunctionFailed':
        failure = {
          error: event.taskFailedEventDetails?.error ?? '',
          cause: event.taskFailedEventDetails?.cause ?? '',
          at: event.timestamp,
        };
        break;
      case 'TaskScheduled':
      case 'LambdaFunctionScheduled':
        // Scheduled again after a failure, in the same state: its Retry matched.
        if (current !== undefined && failure !== undefined) {
          current.retries.push({
            attempt: current.retries.length + 1,
            error: failure.error,
            cause: failure.cause,
            failedAt: failure.at,
            retriedAt: event.timestamp,
            waitSeconds: Math.max(0, event.timestamp - failure.at),
          });
          failure = undefined;
        }
        break;
      case 'ExecutionFailed':
      case 'ExecutionTimedOut':
      case 'ExecutionAborted':
        if (current !== undefined && current.outcome === 'running') {
          current.outcome = 'failed';
          current.error = failure?.error ?? event.executionFailedEventDetails?.error ?? event.type;
          current.cause = failure?.cause ?? event.executionFailedEventDetails?.cause ?? '';
        }
        current = undefined;
        failure = undefined;
        break;
      default:
        break;
    }
  }
  // A state still marked running in a finished execution was cut short (the engine stopped).
  if (executionStatus !== 'RUNNING') {
    for (const run of runs.values()) if (run.outcome === 'running') run.outcome = 'failed';
  }
  return [...runs.values()];
}
