import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionName } from '../../../functions/core/execution-name';
import { parseNotificationBody } from '../../../functions/core/s3-event';
import { handler } from '../../../functions/starter';
import { type StarterDeps, startExecutions } from '../../../functions/starter/start-executions';
import { fixture, fixtureText, sqsEventOf } from '../../support/fixtures';

const sfn = mockClient(SFNClient);
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:metadata-pipeline';

function eventsOf(fixtureName: string) {
  const parsed = parseNotificationBody(fixtureText(`events/${fixtureName}`));
  if (parsed.kind !== 'events') throw new Error('expected events');
  return parsed.events;
}

function recordingLog() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const log: StarterDeps['log'] = {
    info: (message, extra) => lines.push({ level: 'info', message, extra }),
    error: (message, extra) => lines.push({ level: 'error', message, extra }),
  };
  return { log, lines };
}

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
});

describe('starter handler', () => {
  it('reports only the bad messages of a mixed batch as failures', async () => {
    await expect(handler(fixture('events/sqs-batch-mixed.json'))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-garbage' }, { itemIdentifier: 'msg-missing-field' }],
    });
  });

  it('starts one execution per object event, named deterministically, with the decoded event as input', async () => {
    await handler(sqsEventOf(fixtureText('events/object-created-put.json')));
    const [event] = eventsOf('object-created-put.json');
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: executionName(event ?? ({} as never)),
        input: JSON.stringify({ object: event }),
      },
    ]);
  });

  it('acknowledges a duplicate delivery (ExecutionAlreadyExists) instead of failing it', async () => {
    sfn.on(StartExecutionCommand).rejects(
      new ExecutionAlreadyExists({
        message: 'Execution already exists',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(handler(sqsEventOf(fixtureText('events/object-created-put.json')))).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it('acknowledges an s3:TestEvent without starting anything', async () => {
    await expect(handler(sqsEventOf(fixtureText('events/s3-test-event.json')))).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('fails only the message whose StartExecution is throttled', async () => {
    const throttled = eventsOf('object-created-versioned.json')[0];
    sfn.on(StartExecutionCommand, { name: executionName(throttled ?? ({} as never)) }).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const event = sqsEventOf(
      fixtureText('events/object-created-put.json'),
      fixtureText('events/object-created-versioned.json'),
      fixtureText('events/object-removed-delete.json'),
    );
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'message-2' }] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  it('rejects an event that is not an SQS batch', async () => {
    await expect(handler({ hello: 'world' })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('SQS event is not valid: Records: '),
    });
  });
});

describe('startExecutions', () => {
  it('rejects an event for a bucket the pipeline does not watch, naming the bucket and the watched ones', async () => {
    const { log, lines } = recordingLog();
    const [outcome] = await startExecutions(sqsEventOf(fixtureText('events/object-created-put.json')), {
      sfn: new SFNClient({}),
      stateMachineArn: STATE_MACHINE_ARN,
      log,
      watchedBuckets: new Set(['photos', 'archive']),
    });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      errorName: 'InvalidInputError',
      reason: 'Bucket "uploads" is not watched by this pipeline (watched: photos, archive)',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(lines[0]?.level).toBe('error');
  });

  it('names the bucket, key and sequencer in the line of each started execution and of a failed start', async () => {
    const [event] = eventsOf('object-created-put.json');
    const { log, lines } = recordingLog();
    const deps = { sfn: new SFNClient({}), stateMachineArn: STATE_MACHINE_ARN, log };
    await startExecutions(sqsEventOf(fixtureText('events/object-created-put.json')), deps);
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await startExecutions(sqsEventOf(fixtureText('events/object-created-put.json')), deps);
    const where = { bucket: event?.bucket, key: event?.key, sequencer: event?.sequencer };
    expect(lines.map((line) => [line.message, line.extra])).toEqual([
      ['Started execution', expect.objectContaining(where)],
      [
        'Message failed and will be redelivered',
        expect.objectContaining({ ...where, errorName: 'ThrottledError' }),
      ],
    ]);
  });

  it('logs why a message is rejected', async () => {
    const { log, lines } = recordingLog();
    await startExecutions(sqsEventOf('not json'), {
      sfn: new SFNClient({}),
      stateMachineArn: STATE_MACHINE_ARN,
      log,
    });
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'Message is not valid: it will be redelivered until it reaches the dead-letter queue',
        extra: {
          messageId: 'message-1',
          errorName: 'InvalidInputError',
          reason: 'Message body is not JSON (received "not json")',
        },
      },
    ]);
  });

  it('starts every record of a message with several records', async () => {
    const { log } = recordingLog();
    const put = fixture<{ Records: unknown[] }>('events/object-created-put.json');
    const removed = fixture<{ Records: unknown[] }>('events/object-removed-delete.json');
    const body = JSON.stringify({ Records: [...put.Records, ...removed.Records] });
    const [outcome] = await startExecutions(sqsEventOf(body), {
      sfn: new SFNClient({}),
      stateMachineArn: STATE_MACHINE_ARN,
      log,
    });
    expect(outcome).toMatchObject({
      outcome: 'started',
      executions: [{ duplicate: false }, { duplicate: false }],
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('keeps the order of outcomes for a large batch processed concurrently, whatever order the starts end in', async () => {
    const { log } = recordingLog();
    const bodies = Array.from({ length: 25 }, (_, index) =>
      fixtureText('events/object-created-put.json').replace(
        '0055AED6DCD90281E5',
        (0x1000 + index).toString(16),
      ),
    );
    const names = bodies.map((body) => {
      const parsed = parseNotificationBody(body);
      if (parsed.kind !== 'events' || parsed.events[0] === undefined) throw new Error('expected an event');
      return executionName(parsed.events[0]);
    });
    let inFlight = 0;
    let mostInFlight = 0;
    const ended: string[] = [];
    sfn.on(StartExecutionCommand).callsFake(async (input: { name: string }) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Later messages answer sooner: counted in event-loop turns, not in time.
      for (let turn = names.length - names.indexOf(input.name); turn > 0; turn -= 1)
        await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      ended.push(input.name);
      return { executionArn: `arn:${input.name}`, startDate: new Date() };
    });
    const outcomes = await startExecutions(sqsEventOf(...bodies), {
      sfn: new SFNClient({}),
      stateMachineArn: STATE_MACHINE_ARN,
      log,
    });
    expect(mostInFlight).toBeGreaterThan(1);
    expect(ended).not.toEqual(names);
    expect(outcomes).toEqual(
      names.map((name, index) =>
        expect.objectContaining({
          messageId: `message-${index + 1}`,
          executions: [{ name, duplicate: false }],
        }),
      ),
    );
  });
});
