import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type LambdaHandler,
  lambdaInvokeHandlers,
  loadHandler,
  retryableStateNames,
} from '../../local/lambda-invoke';
import { loadDefinition as loadFilledDefinition } from '../../statemachine/definition';
import { type StepName, WORKFLOW_STEPS } from '../../statemachine/steps';

// aws-local-stepfunctions 3 needs Node 22+; on older Node every Task fails
// ("Promise.withResolvers is not a function") and goes down the Catch path,
// which would make failure-path tests pass for the wrong reason.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  throw new Error(
    `Workflow tests need Node 22+ (running ${process.version}); run them through npm, which uses Node 24`,
  );
}

/** One event of an execution's history (the library does not export the type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const STATE_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:metadata-pipeline`;

export const functionArn = (name: StepName) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:s3-metadata-${name}`;

/** The real handler of every step of the registry; their SDK clients are mocked by each test file. */
const HANDLERS = Object.fromEntries(
  WORKFLOW_STEPS.map(({ folder }) => [folder, loadHandler(folder)]),
) as Record<StepName, LambdaHandler>;

/** The real definition file with its placeholders filled, as CDK fills them. */
export function loadDefinition(): StateMachineDefinition {
  return loadFilledDefinition<StateMachineDefinition>(functionArn);
}

export interface WorkflowRun {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: string;
  cause?: string;
  events: EventLog[];
  /** States entered, in order (Parallel branches included). */
  statesEntered: string[];
  /** Each retry: the state, the attempt number and the error that caused it. */
  retries: { state: string; attempt: number; error: string }[];
  executionArn: string;
}

/**
 * Runs one execution of the real definition with the real handlers. Retry
 * waits are set to zero (the intervals themselves are checked on the file).
 */
export async function runWorkflow(
  input: unknown,
  name = 'test-execution',
  wrap: (fn: StepName, handler: LambdaHandler) => LambdaHandler = (_fn, handler) => handler,
): Promise<WorkflowRun> {
  const definition = loadDefinition();
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:metadata-pipeline:${name}`;
  const functions = Object.fromEntries(
    WORKFLOW_STEPS.map(({ folder }) => [functionArn(folder), wrap(folder, HANDLERS[folder])]),
  );
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: lambdaInvokeHandlers(definition, functions) as never,
      retryIntervalOverrides: Object.fromEntries(
        retryableStateNames(definition.States as never).map((state) => [state, 0]),
      ),
    },
    context: {
      Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString(), Input: input as never },
      StateMachine: { Id: STATE_MACHINE, Name: 'metadata-pipeline' },
    },
  });
  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let run: Pick<WorkflowRun, 'status' | 'output' | 'error' | 'cause'>;
  try {
    run = { status: 'SUCCEEDED', output: (await execution.result) as Record<string, unknown> };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    run = { status: 'FAILED' };
  }
  await collected;
  const failed = events.find((event) => event.type === 'ExecutionFailed');
  if (failed !== undefined && 'Error' in failed) {
    run.error = failed.Error;
    run.cause = String(failed.Cause);
  }
  const retries: WorkflowRun['retries'] = [];
  events.forEach((event, index) => {
    if (event.type !== 'StateRetried') return;
    const failure = events
      .slice(0, index)
      .findLast((candidate) => candidate.type === 'StateFailed' && candidate.state.name === event.state.name);
    retries.push({
      state: event.state.name,
      attempt: event.retry.attempt,
      error: failure !== undefined && 'Error' in failure ? failure.Error : 'unknown',
    });
  });
  return {
    ...run,
    events,
    executionArn,
    retries,
    statesEntered: events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : [])),
  };
}
