import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { executionStatusChange } from '../../local/execution-events';
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
  /** The execution's input (a redrive keeps it). */
  input: unknown;
  /** Times this execution was redriven before this run. */
  redriveCount: number;
}

/**
 * Where a redrive resumes: the last state entered and never exited, with the
 * input it had (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
 */
function unsuccessfulState(events: readonly EventLog[]): { name: string; input: unknown } | undefined {
  const open: { name: string; input: unknown }[] = [];
  for (const event of events) {
    if (event.type === 'StateEntered') open.push({ name: event.state.name, input: event.state.input });
    if (event.type === 'StateExited') {
      const index = open.findLastIndex((entry) => entry.name === event.state.name);
      if (index >= 0) open.splice(index, 1);
    }
  }
  return open.at(-1);
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
  return execute(input, name, wrap);
}

/**
 * Redrives a failed run as RedriveExecution does: the same execution
 * continues at its unsuccessful state with that state's input; the states
 * that succeeded do not run again. The result describes the redriven part.
 */
export async function redriveWorkflow(
  previous: WorkflowRun,
  wrap: (fn: StepName, handler: LambdaHandler) => LambdaHandler = (_fn, handler) => handler,
): Promise<WorkflowRun> {
  if (previous.status === 'SUCCEEDED') throw new Error('ExecutionNotRedrivable: the run SUCCEEDED');
  const name = previous.executionArn.split(':').at(-1) ?? 'test-execution';
  return execute(previous.input, name, wrap, {
    from: unsuccessfulState(previous.events),
    redriveCount: previous.redriveCount + 1,
  });
}

async function execute(
  input: unknown,
  name: string,
  wrap: (fn: StepName, handler: LambdaHandler) => LambdaHandler,
  redrive?: { from: { name: string; input: unknown } | undefined; redriveCount: number },
): Promise<WorkflowRun> {
  const definition = loadDefinition();
  const startAt = redrive?.from?.name ?? definition.StartAt;
  // A redrive's machine starts at the redriven state; the states before it are unreachable from
  // there, so only the whole definition (validated below) is validated.
  new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const machine = new StateMachine(
    { ...definition, StartAt: startAt },
    {
      validationOptions:
        startAt === definition.StartAt ? { checkArn: true, checkPaths: true } : { noValidate: true },
    },
  );
  const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:metadata-pipeline:${name}`;
  const functions = Object.fromEntries(
    WORKFLOW_STEPS.map(({ folder }) => [functionArn(folder), wrap(folder, HANDLERS[folder])]),
  );
  const execution = machine.run((redrive?.from?.input ?? input) as never, {
    overrides: {
      taskResourceLocalHandlers: lambdaInvokeHandlers(definition, functions) as never,
      retryIntervalOverrides: Object.fromEntries(
        retryableStateNames(definition.States as never).map((state) => [state, 0]),
      ),
    },
    context: {
      Execution: {
        Id: executionArn,
        Name: name,
        StartTime: new Date().toISOString(),
        Input: input as never,
        RedriveCount: redrive?.redriveCount ?? 0,
      } as never,
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
  if (run.status === 'FAILED') {
    // What the stack's EventBridge rule does with a failed execution's status change event:
    // the publish-notification function sends the failure notification.
    const notify = wrap('publish-notification', HANDLERS['publish-notification']);
    await notify(
      executionStatusChange(
        {
          arn: executionArn,
          name,
          stateMachineArn: STATE_MACHINE,
          status: 'FAILED',
          input: JSON.stringify(input),
          startDate: Date.now() / 1000,
          stopDate: Date.now() / 1000,
          ...(run.error !== undefined ? { error: run.error } : {}),
          ...(run.cause !== undefined ? { cause: run.cause } : {}),
          redriveCount: redrive?.redriveCount ?? 0,
        },
        REGION,
        ACCOUNT,
      ),
    ).catch(() => undefined); // EventBridge retries and dead-letters; the run's outcome stands either way
  }
  return {
    ...run,
    events,
    executionArn,
    input,
    redriveCount: redrive?.redriveCount ?? 0,
    retries,
    statesEntered: events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : [])),
  };
}
