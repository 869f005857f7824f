import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { harness, permutations, STATE_MACHINE_ARN } from './support/harness';

/**
 * S3 delivers at least once and in no guaranteed order: duplicates,
 * reordering, write/delete races, a permanent failure and bad input, each
 * against the local runtime with the real handlers and the real ASL.
 */
let runtime: RuntimeProcess;
let h: Awaited<ReturnType<typeof harness>>;
const unquote = (eTag: string | undefined) => (eTag ?? '').replace(/"/g, '');

beforeAll(async () => {
  runtime = await startRuntimeProcess([
    '--bucket',
    'uploads',
    '--bucket',
    'staging',
    '--visibility-timeout',
    '1',
    '--retry-scale',
    '0.1',
    '--faults',
    'deny=restricted/',
    '--log-level',
    'INFO',
  ]);
  h = await harness(runtime, 'delivery');
});

afterAll(async () => {
  if (runtime) expect(await runtime.stop()).toBe(0);
});

describe('duplicate delivery', () => {
  it('records an event delivered three times (twice at once) as one execution, one item, one notification', async () => {
    const key = 'dup/report.csv';
    const put = await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'a,b\n1,2\n' }),
    );
    const [event = ''] = await h.captureEvents(1);
    await h.deliver([event]);
    await h.deliver([event, event]);
    const arn = h.executionArnOf(event);
    const { outcome } = await h.settled(arn);
    expect(outcome).toBe('recorded');
    // The two later deliveries have reached the starter (acknowledged as duplicates) once the queue is empty.
    await h.ingestDrained();
    const executions =
      (
        await h.clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000 }),
        )
      ).executions ?? [];
    expect(executions.filter((execution) => execution.name === arn.split(':').at(-1))).toHaveLength(1);
    expect((await h.clients.item(key, 'staging'))?.ETag).toBe(unquote(put.ETag));
    expect((await h.notificationsFor(key)).map((n) => n.document.type)).toEqual(['object.created']);
    const { Messages = [] } = await h.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: h.deadLetterUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(Messages.filter((message) => message.Body === event)).toHaveLength(0);
  });
});

describe('out-of-order delivery', () => {
  it('keeps the newest object when its event arrives first; the older event ends superseded, notifying nobody', async () => {
    const key = 'order/status.txt';
    await h.clients.s3.send(new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'first version' }));
    const second = await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'second version' }),
    );
    const [older = '', newer = ''] = await h.captureEvents(2);
    await h.deliver([newer]);
    expect((await h.settled(h.executionArnOf(newer))).outcome).toBe('recorded');
    await h.deliver([older]);
    const late = await h.settled(h.executionArnOf(older));
    expect(late.execution.status).toBe('SUCCEEDED');
    expect(late.outcome).toBe('superseded');
    expect((await h.clients.item(key, 'staging'))?.ETag).toBe(unquote(second.ETag));
    const notifications = await h.notificationsFor(key);
    expect(notifications.map((n) => (n.document.object as { eTag?: string }).eTag)).toEqual([
      unquote(second.ETag),
    ]);
  });

  it('refuses the older event at the write when the object was rewritten with the same bytes (sequencer guard)', async () => {
    const key = 'order/same-bytes.txt';
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'identical', Metadata: { round: '1' } }),
    );
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'identical', Metadata: { round: '2' } }),
    );
    const [older = '', newer = ''] = await h.captureEvents(2);
    await h.deliver([newer]);
    await h.settled(h.executionArnOf(newer));
    await h.deliver([older]);
    const late = await h.settled(h.executionArnOf(older));
    // Same ETag, so describe cannot tell: the conditional write does, and the execution ends at Stale.
    expect(late.events.some((event) => event.stateEnteredEventDetails?.name === 'Stale')).toBe(true);
    expect(late.outcome).toBe('superseded');
    const item = await h.clients.item(key, 'staging');
    expect(item?.Sequencer).toMatch(new RegExp(`${JSON.parse(newer).Records[0].s3.object.sequencer}$`));
    expect(await h.notificationsFor(key)).toHaveLength(1);
  });
});

describe('overwrite and delete races', () => {
  it.each(permutations([0, 1, 2]).map((order, index) => [order.join(','), order, index] as const))(
    'ends with the tombstone whatever the order (%s): never a resurrected object',
    async (_label, order, index) => {
      const key = `race/delete-last-${index}.txt`;
      await h.clients.s3.send(new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'one' }));
      await h.clients.s3.send(new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'two!' }));
      await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key }));
      const events = await h.captureEvents(3);
      await h.deliver(order.map((position) => events[position] ?? ''));
      for (const event of events) await h.settled(h.executionArnOf(event));
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'deleted',
        EventName: 'ObjectRemoved:Delete',
      });
    },
  );

  it.each(permutations([0, 1, 2]).map((order, index) => [order.join(','), order, index] as const))(
    'ends with the last write when it came last by sequencer (%s)',
    async (_label, order, index) => {
      const key = `race/write-last-${index}.txt`;
      await h.clients.s3.send(new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'one' }));
      await h.clients.s3.send(new DeleteObjectCommand({ Bucket: 'staging', Key: key }));
      const last = await h.clients.s3.send(
        new PutObjectCommand({ Bucket: 'staging', Key: key, Body: 'three' }),
      );
      const events = await h.captureEvents(3);
      await h.deliver(order.map((position) => events[position] ?? ''));
      for (const event of events) await h.settled(h.executionArnOf(event));
      expect(await h.clients.item(key, 'staging')).toMatchObject({
        Status: 'present',
        ETag: unquote(last.ETag),
      });
    },
  );
});

describe('permanent failure', () => {
  it('fails at the step that failed, not retried, with a failure notification naming the object and cause; the others are unaffected', async () => {
    const denied = 'restricted/secret.pdf';
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: denied, Body: '%PDF-1.4 secret' }),
    );
    const fine = await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'open/fine.txt', Body: 'fine' }),
    );
    const failure = await eventually(
      async () => (await h.subscriber.drain()).find((n) => n.document.key === denied),
      30_000,
      'the failure notification',
    );
    expect(failure.document).toMatchObject({
      type: 'object.failed',
      bucket: 'uploads',
      key: denied,
      failure: { error: 'PermanentError', cause: expect.stringContaining('AccessDenied') },
    });
    expect(failure.subject).toBe(`FAILED to record: s3://uploads/${denied}`);
    const executionArn = String(failure.document.executionArn);
    const { execution, events } = await h.settled(executionArn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('PermanentError');
    const entered = events.flatMap((event) =>
      event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
    );
    // No catch-all: the execution fails at the Task that failed, where a redrive would resume it.
    expect(entered).toEqual(['RouteEvent', 'DescribeObject']);
    expect(events.filter((event) => event.type === 'TaskFailed')).toHaveLength(1); // not retried
    expect(await h.clients.item(denied)).toBeUndefined();
    await eventually(
      async () => ((await h.clients.item('open/fine.txt'))?.ETag === unquote(fine.ETag) ? true : undefined),
      30_000,
      'the other object',
    );
  });
});

describe('bad input', () => {
  it('acknowledges a TestEvent, dead-letters garbage, a record missing a field and a foreign bucket with a log line saying why, and processes the rest', async () => {
    const garbage = `garbage ${Date.now()}`;
    const missingSequencer = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: '2026-11-25T10:00:00Z',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'uploads' }, object: { key: 'bad/missing.txt', size: 1, eTag: 'x' } },
        },
      ],
    });
    const foreign = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: '2026-11-25T10:00:00Z',
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: 'someone-elses-bucket' },
            object: { key: 'x.txt', size: 1, eTag: 'x', sequencer: '0A' },
          },
        },
      ],
    });
    const testEvent = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: new Date().toISOString(),
      Bucket: 'uploads',
    });
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: 'staging', Key: 'bad/neighbour.txt', Body: 'neighbour' }),
    );
    const [good = ''] = await h.captureEvents(1);
    // One batch: the good event travels with the bad ones.
    await h.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.ingestUrl,
        Entries: [garbage, missingSequencer, good, foreign, testEvent].map((body, index) => ({
          Id: String(index),
          MessageBody: body,
        })),
      }),
    );
    expect((await h.settled(h.executionArnOf(good))).outcome).toBe('recorded');
    const dead = new Set<string>();
    await eventually(
      async () => {
        const { Messages = [] } = await h.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: h.deadLetterUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 120,
          }),
        );
        for (const message of Messages) dead.add(message.Body ?? '');
        return [garbage, missingSequencer, foreign].every((body) => dead.has(body)) ? true : undefined;
      },
      60_000,
      'the three bad messages in the dead-letter queue',
    );
    expect(dead.has(testEvent)).toBe(false);
    expect(dead.has(good)).toBe(false);
    const log = runtime.output();
    expect(log).toContain(`Message body is not JSON (received \\"${garbage}\\")`);
    expect(log).toMatch(/Records\[0\]\.s3\.object\.sequencer: /);
    expect(log).toContain(
      'Bucket \\"someone-elses-bucket\\" is not watched by this pipeline (watched: uploads, staging)',
    );
    expect(log).toContain('Acknowledged an s3:TestEvent');
  });
});
