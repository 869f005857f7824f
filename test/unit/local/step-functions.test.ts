import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { StepFunctionsService } from '../../../local/step-functions';
import { openStore } from '../../../local/store';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:slow';
const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

const gates: { release(): void }[] = [];

/** A function whose invocations finish only when the test says so. */
function gate() {
  const pending: (() => void)[] = [];
  const created = {
    handler: async (event: unknown) => {
      await new Promise<void>((resolve) => pending.push(resolve));
      return { done: event };
    },
    release: () => {
      for (const resolve of pending.splice(0)) resolve();
    },
    waiting: () => pending.length,
  };
  gates.push(created);
  return created;
}

const created: StepFunctionsService[] = [];

function service(store = openStore(undefined), handler = gate().handler) {
  const sfn = new StepFunctionsService({
    store,
    region: 'us-east-1',
    account: '000000000000',
    stateMachineName: 'machine',
    definition,
    functions: { [FUNCTION]: handler },
  });
  created.push(sfn);
  return sfn;
}

// Nothing outlives its test: services stop, and invocations still waiting on a
// gate finish (aws-local-stepfunctions clears a Task's 60 s timeout timer only
// when the task settles, and an abort does not settle it).
afterEach(async () => {
  await Promise.all(created.splice(0).map((sfn) => sfn.stop(0)));
  for (const pending of gates.splice(0)) pending.release();
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('local Step Functions: StartExecution with STANDARD name semantics', () => {
  it('returns the running execution when the same name and input are started again', async () => {
    const slow = gate();
    const sfn = service(openStore(undefined), slow.handler);
    const first = sfn.startExecution({
      stateMachineArn: sfn.stateMachineArn,
      name: 'same',
      input: '{"a":1}',
    });
    const again = sfn.startExecution({
      stateMachineArn: sfn.stateMachineArn,
      name: 'same',
      input: '{"a":1}',
    });
    expect(again).toEqual(first);
    await until(() => slow.waiting() === 1);
    slow.release();
    await until(() => sfn.find(first.executionArn)?.status === 'SUCCEEDED');
  });

  it('refuses the same name with another input, while running', () => {
    const sfn = service();
    sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: 'taken', input: '{"a":1}' });
    expect(() =>
      sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: 'taken', input: '{"a":2}' }),
    ).toThrow(expect.objectContaining({ code: 'ExecutionAlreadyExists' }));
  });

  it('refuses the name of a closed execution, even with the same input', async () => {
    const fast = gate();
    const sfn = service(openStore(undefined), fast.handler);
    const { executionArn } = sfn.startExecution({
      stateMachineArn: sfn.stateMachineArn,
      name: 'closed',
      input: '{}',
    });
    await until(() => fast.waiting() === 1);
    fast.release();
    await until(() => sfn.find(executionArn)?.status === 'SUCCEEDED');
    expect(() =>
      sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: 'closed', input: '{}' }),
    ).toThrow(
      expect.objectContaining({
        code: 'ExecutionAlreadyExists',
        message: `Execution Already Exists: '${executionArn}'`,
      }),
    );
  });

  it.each([
    ['a name with a space', { name: 'has space' }, 'InvalidName'],
    ['a name over 80 characters', { name: 'x'.repeat(81) }, 'InvalidName'],
    ['input that is not JSON', { input: '{nope' }, 'InvalidExecutionInput'],
    [
      'another state machine',
      { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:other' },
      'StateMachineDoesNotExist',
    ],
  ])('refuses %s', (_case, change, code) => {
    const sfn = service();
    expect(() =>
      sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, input: '{}', ...change }),
    ).toThrow(expect.objectContaining({ code }));
  });
});

describe('local Step Functions: durability', () => {
  it('restarts an execution left RUNNING by a stopped runtime, from the beginning, under the same ARN', async () => {
    const store = openStore(undefined);
    const stuck = gate();
    const before = service(store, stuck.handler);
    const { executionArn } = before.startExecution({
      stateMachineArn: before.stateMachineArn,
      name: 'survivor',
      input: '{"n":7}',
    });
    await until(() => stuck.waiting() === 1);
    await before.stop(10); // abandons the running execution, as a crash would

    const resumed = gate();
    const after = service(store, resumed.handler);
    expect(after.resume()).toBe(1);
    await until(() => resumed.waiting() === 1);
    resumed.release();
    await until(() => after.find(executionArn)?.status === 'SUCCEEDED');
    expect(JSON.parse(after.find(executionArn)?.output ?? '{}')).toEqual({ done: { n: 7 } });
    const history = (await after.handle('GetExecutionHistory', { executionArn })) as {
      events: { type: string }[];
    };
    expect(history.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
