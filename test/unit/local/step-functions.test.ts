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

describe('local Step Functions: RedriveExecution (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html)', () => {
  const WORK = 'arn:aws:lambda:us-east-1:000000000000:function:work';
  /** A Pass state that succeeds, then a Task that fails while `broken` is set. */
  const twoStates = {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: { prepared: true }, ResultPath: '$.prep', Next: 'Work' },
      Work: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: WORK, 'Payload.$': '$' },
        OutputPath: '$.Payload',
        End: true,
      },
    },
  } as unknown as StateMachineDefinition;

  function redrivable(store = openStore(undefined)) {
    const calls: unknown[] = [];
    const state = { broken: true };
    const sfn = new StepFunctionsService({
      store,
      region: 'us-east-1',
      account: '000000000000',
      stateMachineName: 'machine',
      definition: twoStates,
      functions: {
        [WORK]: async (event: unknown) => {
          calls.push(event);
          if (state.broken) {
            const error = new Error('AccessDenied: no kms:Decrypt');
            error.name = 'PermanentError';
            throw error;
          }
          return { done: event };
        },
      },
    });
    created.push(sfn);
    return { sfn, calls, state, store };
  }

  type Described = {
    status: string;
    redriveCount: number;
    redriveStatus: string;
    redriveStatusReason?: string;
    redriveDate?: number;
    output?: string;
    error?: string;
  };
  const describe_ = (sfn: StepFunctionsService, executionArn: string) =>
    sfn.handle('DescribeExecution', { executionArn }) as Promise<Described>;
  const history = async (sfn: StepFunctionsService, executionArn: string) =>
    (
      (await sfn.handle('GetExecutionHistory', { executionArn, maxResults: 1000 })) as {
        events: { type: string; id: number; stateEnteredEventDetails?: { name: string } }[];
      }
    ).events;

  async function failedExecution() {
    const setup = redrivable();
    const { executionArn } = setup.sfn.startExecution({
      stateMachineArn: setup.sfn.stateMachineArn,
      name: 'object-1',
      input: '{"object":"k"}',
    });
    await until(() => setup.sfn.find(executionArn)?.status === 'FAILED');
    return { ...setup, executionArn };
  }

  it('continues a FAILED execution at its failed state, under the same ARN, without re-running the states that succeeded', async () => {
    const { sfn, calls, state, executionArn } = await failedExecution();
    expect(await describe_(sfn, executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'PermanentError',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    state.broken = false; // the cause is fixed
    const { redriveDate } = (await sfn.handle('RedriveExecution', { executionArn })) as {
      redriveDate: number;
    };
    expect(typeof redriveDate).toBe('number');
    await until(() => sfn.find(executionArn)?.status === 'SUCCEEDED');

    const described = await describe_(sfn, executionArn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate });
    expect(JSON.parse(described.output ?? '{}')).toEqual({ done: { object: 'k', prep: { prepared: true } } });
    // The failed Task ran again with the input it had the first time; the Pass state did not run again.
    expect(calls).toEqual([
      { object: 'k', prep: { prepared: true } },
      { object: 'k', prep: { prepared: true } },
    ]);
    const events = await history(sfn, executionArn);
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(1);
    expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(2);
    expect(types.indexOf('ExecutionRedriven')).toBeGreaterThan(types.indexOf('ExecutionFailed'));
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.find((event) => event.type === 'ExecutionRedriven')).toMatchObject({
      executionRedrivenEventDetails: { redriveCount: 1 },
    });
  });

  it('refuses a SUCCEEDED or RUNNING execution with ExecutionNotRedrivable, and an unknown one with ExecutionDoesNotExist', async () => {
    const { sfn, state, executionArn } = await failedExecution();
    state.broken = false;
    await sfn.handle('RedriveExecution', { executionArn });
    await until(() => sfn.find(executionArn)?.status === 'SUCCEEDED');
    await expect(sfn.handle('RedriveExecution', { executionArn })).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
      message: expect.stringContaining('Execution is SUCCEEDED and cannot be redriven.'),
    });
    expect(await describe_(sfn, executionArn)).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven.',
    });

    const slow = gate();
    const running = service(openStore(undefined), slow.handler);
    const started = running.startExecution({ stateMachineArn: running.stateMachineArn, name: 'busy' });
    await expect(running.handle('RedriveExecution', started)).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
      message: expect.stringContaining('Execution is RUNNING and cannot be redriven.'),
    });
    await expect(
      sfn.handle('RedriveExecution', { executionArn: `${executionArn.slice(0, -1)}x` }),
    ).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    await expect(sfn.handle('RedriveExecution', { executionArn: 'not-an-arn' })).rejects.toMatchObject({
      code: 'InvalidArn',
    });
  });

  it('refuses an execution that ended more than 14 days ago', async () => {
    const { sfn, store, executionArn } = await failedExecution();
    store
      .prepare('UPDATE sfn_executions SET stop_date = ? WHERE arn = ?')
      .run(Date.now() / 1000 - 15 * 24 * 3600, executionArn);
    await expect(sfn.handle('RedriveExecution', { executionArn })).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
      message: expect.stringContaining('Execution redrivable period exceeded.'),
    });
    expect(await describe_(sfn, executionArn)).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE' });
  });

  it('counts every redrive, and can redrive again an execution whose redrive failed', async () => {
    const { sfn, state, executionArn } = await failedExecution();
    await sfn.handle('RedriveExecution', { executionArn });
    await until(() => sfn.find(executionArn)?.status === 'FAILED');
    expect(await describe_(sfn, executionArn)).toMatchObject({
      redriveCount: 1,
      redriveStatus: 'REDRIVABLE',
    });
    state.broken = false;
    await sfn.handle('RedriveExecution', { executionArn });
    await until(() => sfn.find(executionArn)?.status === 'SUCCEEDED');
    expect((await describe_(sfn, executionArn)).redriveCount).toBe(2);
    const types = (await history(sfn, executionArn)).map((event) => event.type);
    expect(types.filter((type) => type === 'ExecutionRedriven')).toHaveLength(2);
    expect(types.filter((type) => type === 'ExecutionFailed')).toHaveLength(2);
  });

  it('answers a repeated clientToken with the first redrive, without redriving again', async () => {
    const { sfn, calls, executionArn } = await failedExecution();
    const first = await sfn.handle('RedriveExecution', { executionArn, clientToken: 'token-1' });
    await until(() => sfn.find(executionArn)?.status === 'FAILED');
    const again = await sfn.handle('RedriveExecution', { executionArn, clientToken: 'token-1' });
    expect(again).toEqual(first);
    expect(calls).toHaveLength(2);
    expect(sfn.find(executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 1 });
  });

  it('lists executions with their redriveCount, filtered by redriveFilter', async () => {
    const { sfn, executionArn } = await failedExecution();
    sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: 'object-2', input: '{}' });
    await sfn.handle('RedriveExecution', { executionArn });
    const list = (filter?: string) =>
      sfn.handle('ListExecutions', {
        stateMachineArn: sfn.stateMachineArn,
        ...(filter ? { redriveFilter: filter } : {}),
      }) as Promise<{ executions: { name: string; redriveCount: number }[] }>;
    expect((await list('REDRIVEN')).executions).toEqual([
      expect.objectContaining({ name: 'object-1', redriveCount: 1, redriveDate: expect.any(Number) }),
    ]);
    expect((await list('NOT_REDRIVEN')).executions.map((execution) => execution.name)).toEqual(['object-2']);
    expect((await list()).executions).toHaveLength(2);
    await until(() => sfn.find(executionArn)?.status !== 'RUNNING');
  });

  it('resumes a redrive cut short by a stopped runtime at the redriven state, keeping the first attempt', async () => {
    const store = openStore(undefined);
    const first = redrivable(store);
    const { executionArn } = first.sfn.startExecution({
      stateMachineArn: first.sfn.stateMachineArn,
      name: 'object-3',
      input: '{"object":"k"}',
    });
    await until(() => first.sfn.find(executionArn)?.status === 'FAILED');
    // Redrive, then stop before the Task can run (the slots are taken by nothing: stop at once).
    await first.sfn.stop(0);
    store
      .prepare(
        "UPDATE sfn_executions SET status = 'RUNNING', redrive_count = 1, redrive_date = ? WHERE arn = ?",
      )
      .run(Date.now() / 1000, executionArn);
    const lastId = (
      store.prepare('SELECT MAX(id) AS id FROM sfn_events WHERE execution_arn = ?').get(executionArn) as {
        id: number;
      }
    ).id;
    store.prepare('INSERT INTO sfn_events (execution_arn, id, event) VALUES (?, ?, ?)').run(
      executionArn,
      lastId + 1,
      JSON.stringify({
        id: lastId + 1,
        type: 'ExecutionRedriven',
        executionRedrivenEventDetails: { redriveCount: 1 },
      }),
    );
    const second = redrivable(store);
    second.state.broken = false;
    expect(second.sfn.resume()).toBe(1);
    await until(() => second.sfn.find(executionArn)?.status === 'SUCCEEDED');
    expect(second.calls).toEqual([{ object: 'k', prep: { prepared: true } }]);
    const types = (await history(second.sfn, executionArn)).map((event) => event.type);
    expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(1);
    expect(types).toContain('ExecutionFailed');
  });
});

// Request validation as the Step Functions API Reference documents it: the errors each action lists
// (InvalidArn, InvalidToken, ValidationException from
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html) and each parameter's range.
describe('local Step Functions: request validation (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html)', () => {
  /** A service with `count` finished executions. */
  async function withExecutions(count: number) {
    const sfn = service(openStore(undefined), async (event: unknown) => ({ done: event }));
    const arns: string[] = [];
    for (let index = 0; index < count; index += 1) {
      arns.push(
        sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: `e${index}`, input: '{"a":1}' })
          .executionArn,
      );
    }
    await until(() => arns.every((arn) => sfn.find(arn)?.status === 'SUCCEEDED'));
    return { sfn, arns };
  }

  const failure = (code: string, message?: RegExp) =>
    expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

  it('pages ListExecutions with opaque tokens and refuses a token it did not issue with InvalidToken', async () => {
    const { sfn } = await withExecutions(3);
    const list = (extra: Record<string, unknown>) =>
      sfn.handle('ListExecutions', { stateMachineArn: sfn.stateMachineArn, ...extra }) as Promise<{
        executions: { name: string }[];
        nextToken?: string;
      }>;
    const first = await list({ maxResults: 2 });
    expect(first.executions).toHaveLength(2);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await list({ maxResults: 2, nextToken: first.nextToken });
    expect(second.executions).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
    expect(new Set([...first.executions, ...second.executions].map((e) => e.name))).toEqual(
      new Set(['e0', 'e1', 'e2']),
    );
    await expect(list({ nextToken: 'garbage' })).rejects.toEqual(failure('InvalidToken', /Invalid Token/));
    // "Keep all other arguments unchanged": a token from another listing is not valid here.
    await expect(list({ maxResults: 2, nextToken: first.nextToken, statusFilter: 'FAILED' })).rejects.toEqual(
      failure('InvalidToken'),
    );
  });

  it.each([
    [
      { maxResults: 1001 },
      /Value '1001' at 'maxResults' failed to satisfy constraint: .*less than or equal to 1000/,
    ],
    [{ maxResults: -1 }, /Value '-1' at 'maxResults' .*greater than or equal to 0/],
    [
      { statusFilter: 'BOGUS' },
      /Value 'BOGUS' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set/,
    ],
    [{ redriveFilter: 'SOMETIMES' }, /Value 'SOMETIMES' at 'redriveFilter'/],
  ])('refuses ListExecutions with %o as a ValidationException', async (change, message) => {
    const sfn = service();
    await expect(
      sfn.handle('ListExecutions', { stateMachineArn: sfn.stateMachineArn, ...change }),
    ).rejects.toEqual(
      failure('ValidationException', new RegExp(`^1 validation error detected: ${message.source}`)),
    );
  });

  it('takes maxResults 0 as the default page size and 1000 as the largest', async () => {
    const { sfn } = await withExecutions(2);
    for (const maxResults of [0, 1000]) {
      const page = (await sfn.handle('ListExecutions', {
        stateMachineArn: sfn.stateMachineArn,
        maxResults,
      })) as {
        executions: unknown[];
      };
      expect(page.executions).toHaveLength(2);
    }
  });

  it.each([
    ['DescribeExecution', { executionArn: 'not-an-arn' }],
    ['DescribeExecution', { executionArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine' }],
    ['GetExecutionHistory', { executionArn: 'garbage' }],
    ['ListExecutions', { stateMachineArn: 'garbage' }],
    [
      'DescribeStateMachine',
      { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:execution:machine:x' },
    ],
    ['StartExecution', { stateMachineArn: 'arn:aws:sqs:us-east-1:000000000000:queue' }],
  ])('answers %s with a malformed ARN %o with InvalidArn', async (action, body) => {
    await expect(service().handle(action, body)).rejects.toEqual(failure('InvalidArn', /^Invalid Arn: '/));
  });

  it('answers a well-formed ARN of no execution with ExecutionDoesNotExist', async () => {
    await expect(
      service().handle('DescribeExecution', {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:machine:nobody',
      }),
    ).rejects.toEqual(failure('ExecutionDoesNotExist'));
  });

  it('leaves every input and output out of the history with includeExecutionData false (https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html)', async () => {
    const { sfn, arns } = await withExecutions(1);
    const history = (includeExecutionData?: boolean) =>
      sfn.handle('GetExecutionHistory', {
        executionArn: arns[0],
        ...(includeExecutionData === undefined ? {} : { includeExecutionData }),
      }) as Promise<{ events: Record<string, Record<string, unknown>>[] }>;
    const full = JSON.stringify((await history()).events);
    expect(full).toContain('"input":');
    expect(full).toContain('"output":');
    const lean = (await history(false)).events;
    expect(lean.map((event) => event.type)).toEqual(
      JSON.parse(full).map((event: { type: string }) => event.type),
    );
    expect(JSON.stringify(lean)).not.toMatch(/"(input|output)":/);
    expect(lean[0]?.executionStartedEventDetails).toMatchObject({ roleArn: expect.any(String) });
  });

  it('leaves input and output out of DescribeExecution with includedData METADATA_ONLY (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html)', async () => {
    const { sfn, arns } = await withExecutions(1);
    const described = (await sfn.handle('DescribeExecution', {
      executionArn: arns[0],
      includedData: 'METADATA_ONLY',
    })) as Record<string, unknown>;
    expect(described).toMatchObject({ status: 'SUCCEEDED', inputDetails: { included: false } });
    expect(described).not.toHaveProperty('input');
    expect(described).not.toHaveProperty('output');
    await expect(
      sfn.handle('DescribeExecution', { executionArn: arns[0], includedData: 'SOME' }),
    ).rejects.toEqual(failure('ValidationException'));
  });

  it('gives the state machine a creation date: when it was first run on this data, the same after a restart (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachines.html)', async () => {
    const store = openStore(undefined);
    const before = Date.now() / 1000;
    const first = service(store);
    const listed = (await first.handle('ListStateMachines', {})) as {
      stateMachines: { creationDate: number }[];
    };
    const creationDate = listed.stateMachines[0]?.creationDate ?? 0;
    expect(creationDate).toBeGreaterThanOrEqual(before - 1);
    expect(creationDate).toBeLessThanOrEqual(Date.now() / 1000);
    const described = (await service(store).handle('DescribeStateMachine', {
      stateMachineArn: first.stateMachineArn,
    })) as { creationDate: number };
    expect(described.creationDate).toBe(creationDate);
    await expect(first.handle('ListStateMachines', { nextToken: 'garbage' })).rejects.toEqual(
      failure('InvalidToken'),
    );
  });
});

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html: a Catch takes the Task's failure;
// the history shows TaskFailed then the state's exit, never a TaskSucceeded for it.
describe('local Step Functions: the history of a caught Task', () => {
  it('records TaskFailed and TaskStateExited, with no TaskSucceeded in between', async () => {
    const THROWS = 'arn:aws:lambda:us-east-1:000000000000:function:throws';
    const caught = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: THROWS, 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['ObjectNotFoundError'], ResultPath: '$.error', Next: 'Gone' }],
          End: true,
        },
        Gone: { Type: 'Pass', End: true },
      },
    } as unknown as StateMachineDefinition;
    const sfn = new StepFunctionsService({
      store: openStore(undefined),
      region: 'us-east-1',
      account: '000000000000',
      stateMachineName: 'machine',
      definition: caught,
      functions: {
        [THROWS]: async () => {
          const error = new Error('gone');
          error.name = 'ObjectNotFoundError';
          throw error;
        },
      },
    });
    created.push(sfn);
    const { executionArn } = sfn.startExecution({
      stateMachineArn: sfn.stateMachineArn,
      name: 'caught',
      input: '{}',
    });
    await until(() => sfn.find(executionArn)?.status === 'SUCCEEDED');
    const { events } = (await sfn.handle('GetExecutionHistory', { executionArn, maxResults: 1000 })) as {
      events: { type: string }[];
    };
    const types = events.map((event) => event.type);
    const failed = types.indexOf('TaskFailed');
    expect(types.slice(failed, failed + 3)).toEqual(['TaskFailed', 'TaskStateExited', 'PassStateEntered']);
    expect(types).not.toContain('TaskSucceeded');
  });
});
