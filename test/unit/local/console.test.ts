import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConsoleApi, whyDeadLettered } from '../../../local/console/api';
import { type AslDefinition, END, layoutDefinition, START } from '../../../local/console/graph';
import { type HistoryEvent, stateRuns } from '../../../local/console/history';
import { NotificationLog } from '../../../local/console/notifications';
import { openStore } from '../../../local/store';

const DEFINITION = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'statemachine', 'metadata-pipeline.asl.json'), 'utf8'),
) as AslDefinition;

const STATES = {
  Route: { Type: 'Choice' },
  Describe: { Type: 'Task' },
  Write: { Type: 'Task' },
  Gone: { Type: 'Pass' },
  Done: { Type: 'Succeed' },
};

/** A history built the way GetExecutionHistory lists it (ids and timestamps in order). */
function history(...events: [string, Record<string, unknown>?][]): HistoryEvent[] {
  return events.map(([type, details = {}], index) => ({
    id: index + 1,
    type,
    timestamp: 100 + index,
    ...details,
  }));
}
const entered = (type: string, name: string): [string, Record<string, unknown>] => [
  `${type}StateEntered`,
  { stateEnteredEventDetails: { name, input: '{}' } },
];
const exited = (type: string, name: string): [string, Record<string, unknown>] => [
  `${type}StateExited`,
  { stateExitedEventDetails: { name, output: '{"ok":true}' } },
];
const taskFailed = (error: string): [string, Record<string, unknown>] => [
  'TaskFailed',
  { taskFailedEventDetails: { error, cause: `${error} cause` } },
];
const outcomes = (events: HistoryEvent[], status: string) =>
  Object.fromEntries(stateRuns(STATES, events, status).map((run) => [run.name, run.outcome]));

// The history's event types and fields: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
describe('stateRuns (what the graph colours)', () => {
  it('marks states entered and exited succeeded, the others not entered', () => {
    const events = history(
      ['ExecutionStarted'],
      entered('Choice', 'Route'),
      exited('Choice', 'Route'),
      entered('Task', 'Write'),
      ['TaskScheduled'],
      ['TaskSucceeded'],
      exited('Task', 'Write'),
      ['ExecutionSucceeded'],
    );
    expect(outcomes(events, 'SUCCEEDED')).toEqual({
      Route: 'succeeded',
      Describe: 'not-entered',
      Write: 'succeeded',
      Gone: 'not-entered',
      Done: 'not-entered',
    });
  });

  it('lists each retry of a task with its error and the wait before it, and calls the state retried', () => {
    const events = history(
      entered('Task', 'Write'),
      ['TaskScheduled'],
      taskFailed('ThrottledError'),
      ['TaskScheduled'],
      taskFailed('TransientError'),
      ['TaskScheduled'],
      ['TaskSucceeded'],
      exited('Task', 'Write'),
    );
    const write = stateRuns(STATES, events, 'SUCCEEDED').find((run) => run.name === 'Write');
    expect(write?.outcome).toBe('retried');
    expect(write?.retries).toEqual([
      expect.objectContaining({ attempt: 1, error: 'ThrottledError', waitSeconds: 1 }),
      expect.objectContaining({ attempt: 2, error: 'TransientError', waitSeconds: 1 }),
    ]);
  });

  it('calls a state left for its Catch target caught, with the error and where it went', () => {
    const events = history(
      entered('Task', 'Describe'),
      ['TaskScheduled'],
      taskFailed('ObjectNotFoundError'),
      entered('Pass', 'Gone'),
      exited('Pass', 'Gone'),
      ['ExecutionSucceeded'],
    );
    const describe = stateRuns(STATES, events, 'SUCCEEDED').find((run) => run.name === 'Describe');
    expect(describe).toMatchObject({
      outcome: 'caught',
      error: 'ObjectNotFoundError',
      cause: 'ObjectNotFoundError cause',
      caughtBy: 'Gone',
    });
    expect(outcomes(events, 'SUCCEEDED').Gone).toBe('succeeded');
  });

  it('calls a state caught when it exits with its last attempt failed (the local history exits a caught task)', () => {
    const events = history(
      entered('Task', 'Describe'),
      ['TaskScheduled'],
      taskFailed('ObjectNotFoundError'),
      exited('Task', 'Describe'),
      entered('Pass', 'Gone'),
      exited('Pass', 'Gone'),
    );
    expect(stateRuns(STATES, events, 'SUCCEEDED').find((run) => run.name === 'Describe')).toMatchObject({
      outcome: 'caught',
      error: 'ObjectNotFoundError',
      caughtBy: 'Gone',
    });
  });

  it('calls the state where the execution failed failed, and after a redrive the state that then succeeded succeeded', () => {
    const failed = history(entered('Task', 'Describe'), ['TaskScheduled'], taskFailed('PermanentError'), [
      'ExecutionFailed',
      { executionFailedEventDetails: { error: 'PermanentError', cause: 'denied' } },
    ]);
    expect(stateRuns(STATES, failed, 'FAILED').find((run) => run.name === 'Describe')).toMatchObject({
      outcome: 'failed',
      error: 'PermanentError',
    });
    // https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: the redrive resumes at the failed state.
    const redriven = history(
      ...failed.map((event): [string, Record<string, unknown>] => [event.type, event]),
      ['ExecutionRedriven'],
      entered('Task', 'Describe'),
      ['TaskScheduled'],
      ['TaskSucceeded'],
      exited('Task', 'Describe'),
      ['ExecutionSucceeded'],
    );
    expect(outcomes(redriven, 'SUCCEEDED').Describe).toBe('succeeded');
  });

  it('shows a state still running as running', () => {
    const events = history(entered('Task', 'Describe'), ['TaskScheduled']);
    expect(outcomes(events, 'RUNNING').Describe).toBe('running');
  });
});

describe('layoutDefinition', () => {
  const graph = layoutDefinition(DEFINITION);

  it('has a node for every state of the definition, and Start and End', () => {
    expect(graph.nodes.map((node) => node.id).sort()).toEqual(
      [...Object.keys(DEFINITION.States), START, END].sort(),
    );
  });

  it('has an edge for every transition: Next, Choices, Default, Catch, and the ends', () => {
    const expected: string[] = [`${START}>${DEFINITION.StartAt}`];
    for (const [name, state] of Object.entries(DEFINITION.States)) {
      if (state.Next) expected.push(`${name}>${state.Next}`);
      for (const choice of state.Choices ?? []) expected.push(`${name}>${choice.Next}`);
      if (state.Default) expected.push(`${name}>${state.Default}`);
      for (const rule of state.Catch ?? []) expected.push(`${name}>${rule.Next}`);
      if (state.End || state.Type === 'Fail' || state.Type === 'Succeed') expected.push(`${name}>${END}`);
    }
    expect(graph.edges.map((edge) => `${edge.from}>${edge.to}`).sort()).toEqual(expected.sort());
  });

  it('places every node inside the drawing, none overlapping another', () => {
    for (const node of graph.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(graph.width);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(graph.height);
    }
    for (const a of graph.nodes) {
      for (const b of graph.nodes) {
        if (a === b) continue;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
    }
  });
});

describe('NotificationLog', () => {
  const publish = (message: string, structured: boolean) => ({
    method: 'POST',
    url: new URL('http://edge/'),
    headers: {},
    remoteAddress: '127.0.0.1',
    body: Buffer.from(
      new URLSearchParams({
        Action: 'Publish',
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:topic',
        Subject: 'New object',
        Message: message,
        ...(structured ? { MessageStructure: 'json' } : {}),
        'MessageAttributes.entry.1.Name': 'bucket',
        'MessageAttributes.entry.1.Value.DataType': 'String',
        'MessageAttributes.entry.1.Value.StringValue': 'uploads',
      }).toString(),
    ),
  });
  const answer = (messageId: string, status = 200) => ({
    status,
    headers: {},
    body: Buffer.from(
      `<PublishResponse><PublishResult><MessageId>${messageId}</MessageId></PublishResult></PublishResponse>`,
    ),
  });

  // Publish's parameters: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
  it('keeps a published message by the bucket and key of its document (the default message of a structured one)', () => {
    const log = new NotificationLog(new DatabaseSync(':memory:'));
    const document = { id: 'n1', type: 'object.created', bucket: 'uploads', key: 'a/b.txt' };
    log.observe(
      publish(JSON.stringify({ default: JSON.stringify(document), email: 'text' }), true) as never,
      answer('1a2b3c4d-0000-4000-8000-000000000000') as never,
    );
    log.observe(
      publish(JSON.stringify({ ...document, key: 'other' }), false) as never,
      answer('ffff') as never,
    );
    log.observe(publish(JSON.stringify(document), false) as never, answer('refused', 400) as never);
    log.observeTrace(
      '  ✓ sns https      https://hook/  Notification 1a2b3c4d: delivered (attempt 1, HTTP 200)',
    );
    log.observeTrace('  ✓ sns https      https://hook/  SubscriptionConfirmation 1a2b3c4d: delivered');
    const kept = log.forObject('uploads', 'a/b.txt');
    expect(kept).toEqual([
      expect.objectContaining({
        messageId: '1a2b3c4d-0000-4000-8000-000000000000',
        subject: 'New object',
        document,
        attributes: { bucket: 'uploads' },
        deliveries: [
          expect.objectContaining({ line: expect.stringContaining('delivered (attempt 1, HTTP 200)') }),
        ],
      }),
    ]);
  });
});

describe('whyDeadLettered', () => {
  it('gives the starter’s own reason for a message it refuses', () => {
    expect(whyDeadLettered('not json', ['uploads'])).toMatch(/not JSON/);
    expect(whyDeadLettered('{"hello":1}', ['uploads'])).toMatch(/not an S3 event notification/);
  });
});

describe('ConsoleApi.executions (the list, paged for thousands)', () => {
  const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
  const store = openStore(undefined);
  const insert = store.prepare(
    'INSERT INTO sfn_executions (arn, name, state_machine_arn, status, input, start_date) VALUES (?, ?, ?, ?, ?, ?)',
  );
  store.exec('BEGIN');
  for (let n = 0; n < 2500; n += 1) {
    const key = `${n % 2 === 0 ? 'even' : 'odd'}/%_${n}.txt`;
    insert.run(
      `arn:e:${n}`,
      `e${n}`,
      MACHINE,
      n % 10 === 0 ? 'FAILED' : 'SUCCEEDED',
      JSON.stringify({ object: { bucket: 'uploads', key, eventName: 'ObjectCreated:Put' } }),
      1000 + n,
    );
  }
  store.exec('COMMIT');
  const api = new ConsoleApi({
    store,
    dynamo: new DynamoDBClient({ region: 'us-east-1' }),
    resources: { stateMachineArn: MACHINE },
  } as never);

  it('pages newest first, with the total', () => {
    const first = api.executions({ page: 0, pageSize: 50 });
    expect(first.total).toBe(2500);
    expect(first.executions.map((execution) => execution.name).slice(0, 2)).toEqual(['e2499', 'e2498']);
    const last = api.executions({ page: 49, pageSize: 50 });
    expect(last.executions.at(-1)?.name).toBe('e0');
  });

  it('filters by status and by key prefix (a prefix with % and _ is taken literally)', () => {
    expect(api.executions({ status: 'FAILED', page: 0, pageSize: 25 }).total).toBe(250);
    const odd = api.executions({ prefix: 'odd/%_1', page: 0, pageSize: 200 });
    expect(odd.total).toBe(1 + 5 + 50 + 500); // odd numbers starting with 1: 1, 11..19, 101..199, 1001..1999
    expect(odd.executions.every((execution) => execution.key?.startsWith('odd/%_1'))).toBe(true);
    expect(api.executions({ prefix: 'odd/x', page: 0, pageSize: 25 }).total).toBe(0);
  });
});
