// What fauxqs 2.4.1's SQS lacks, added in its own process (imported by fauxqs-server.mjs before it
// starts fauxqs), where the queues are at hand:
//
// - Approximate* queue attributes count a message whose visibility timeout has expired as visible at
//   once (fauxqs moved it back only on the next receive: after `receive-message --visibility-timeout 0`
//   ApproximateNumberOfMessages stayed 0).
// - A message moved to a dead-letter queue carries the DeadLetterQueueSourceArn system attribute
//   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html),
//   kept across restarts in a table of our own beside fauxqs's.
// - StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask, the dead-letter queue redrive
//   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
// - Queue URLs rebuilt with this run's port: fauxqs keeps the URL a queue was created with, port
//   included, in its data directory (see rebaseQueueUrls).
//
// These reach into fauxqs's modules (not its public API): a fauxqs upgrade must be checked against
// test/e2e/sqs.test.ts and test/clients/sqs.test.ts.
import { randomUUID } from 'node:crypto';

const fauxqs = import.meta.resolve('fauxqs');
const { SqsQueue, SqsStore } = await import(new URL('./sqs/sqsStore.js', fauxqs).href);
const { SqsRouter } = await import(new URL('./sqs/sqsRouter.js', fauxqs).href);
const { SqsError } = await import(new URL('./common/errors.js', fauxqs).href);
const { PersistenceManager } = await import(new URL('./persistence.js', fauxqs).href);

/** Every SqsStore fauxqs made (one), to reach its queues after start. */
const stores = new Set();
const createQueue = SqsStore.prototype.createQueue;
SqsStore.prototype.createQueue = function createQueueSeen(...args) {
  stores.add(this);
  return createQueue.apply(this, args);
};

// --- Approximate counts -------------------------------------------------------------------------

const getAttribute = SqsQueue.prototype.getAttribute;
SqsQueue.prototype.getAttribute = function getAttributeNow(name) {
  // Expired visibility timeouts and elapsed delays first, as SQS counts them.
  if (String(name).startsWith('Approximate')) this.processTimers();
  return getAttribute.call(this, name);
};

// --- DeadLetterQueueSourceArn ---------------------------------------------------------------------

const SIDE_TABLE =
  'CREATE TABLE IF NOT EXISTS runtime_dead_letter_sources (message_id TEXT PRIMARY KEY, source_arn TEXT NOT NULL)';
const prepared = new WeakSet();
function sideTable(manager) {
  if (!prepared.has(manager)) {
    manager.db.exec(SIDE_TABLE);
    prepared.add(manager);
  }
  return manager.db;
}

const insertMessage = PersistenceManager.prototype.insertMessage;
PersistenceManager.prototype.insertMessage = function insertMessageWithSource(queueName, msg) {
  insertMessage.call(this, queueName, msg);
  if (msg.deadLetterQueueSourceArn !== undefined) {
    sideTable(this)
      .prepare('INSERT OR REPLACE INTO runtime_dead_letter_sources (message_id, source_arn) VALUES (?, ?)')
      .run(msg.messageId, msg.deadLetterQueueSourceArn);
  }
};
const deleteMessage = PersistenceManager.prototype.deleteMessage;
PersistenceManager.prototype.deleteMessage = function deleteMessageWithSource(messageId) {
  deleteMessage.call(this, messageId);
  sideTable(this).prepare('DELETE FROM runtime_dead_letter_sources WHERE message_id = ?').run(messageId);
};
const loadSqsMessages = PersistenceManager.prototype.loadSqsMessages;
PersistenceManager.prototype.loadSqsMessages = function loadSqsMessagesWithSource(queue) {
  loadSqsMessages.call(this, queue);
  const source = sideTable(this).prepare(
    'SELECT source_arn FROM runtime_dead_letter_sources WHERE message_id = ?',
  );
  for (const msg of messagesOf(queue)) {
    const row = source.get(msg.messageId);
    if (row !== undefined) msg.deadLetterQueueSourceArn = row.source_arn;
  }
};

/** Every message a queue holds: visible, in flight, delayed. */
function messagesOf(queue) {
  return [
    ...queue.messages,
    ...[...queue.inflightMessages.values()].map((entry) => entry.message),
    ...queue.delayedMessages,
    ...[...queue.fifoMessages.values()].flat(),
    ...[...queue.fifoDelayed.values()].flat(),
  ];
}

// fauxqs moves a message to the dead-letter queue inside dequeue, through the resolver it is given:
// the resolved queue is wrapped so that the message learns where it came from on the way.
const dequeue = SqsQueue.prototype.dequeue;
SqsQueue.prototype.dequeue = function dequeueNamingSource(maxCount, visibilityTimeout, dlqResolver) {
  const source = this;
  const resolver =
    dlqResolver &&
    ((arn) => {
      const dlq = dlqResolver(arn);
      if (!dlq) return dlq;
      return {
        enqueue(msg) {
          msg.deadLetterQueueSourceArn = source.arn;
          dlq.enqueue(msg);
        },
      };
    });
  return dequeue.call(this, maxCount, visibilityTimeout, resolver);
};

/** ReceiveMessage names the source of a dead-lettered message when asked for All or DeadLetterQueueSourceArn. */
function withDeadLetterSource(handler) {
  return async (body, store, request) => {
    const result = await handler(body, store, request);
    const names = [...(body.AttributeNames ?? []), ...(body.MessageSystemAttributeNames ?? [])];
    if (!names.includes('All') && !names.includes('DeadLetterQueueSourceArn')) return result;
    const queue = store.getQueue(body.QueueUrl);
    for (const message of result?.Messages ?? []) {
      const source = queue?.inflightMessages.get(message.ReceiptHandle)?.message.deadLetterQueueSourceArn;
      if (source !== undefined)
        message.Attributes = { ...message.Attributes, DeadLetterQueueSourceArn: source };
    }
    return result;
  };
}

// --- Message move tasks ---------------------------------------------------------------------------

/** Moved per second when the caller sets no rate (SQS then picks one; its maximum is 500). */
const DEFAULT_RATE = 500;
const TICK_MS = 100;
/** Tasks by handle, newest last; ListMessageMoveTasks shows the last 10 of a source queue. */
const tasks = [];

/** ResourceNotFoundException: HTTP 404, and a query-protocol code without the AWS.SimpleQueueService. prefix. */
class ResourceNotFound extends SqsError {
  constructor(parameter) {
    super(
      'ResourceNotFoundException',
      `The resource that you specified for the ${parameter} parameter doesn't exist.`,
      404,
    );
  }
  get queryErrorHeader() {
    return 'ResourceNotFoundException;Sender';
  }
}

function notFound(parameter) {
  return new ResourceNotFound(parameter);
}

function unsupported(message) {
  return new SqsError('UnsupportedOperation', message);
}

/** Queues whose RedrivePolicy names this one as their dead-letter queue. */
function sourcesOf(store, dlq) {
  return [...store.allQueues()].filter((queue) => {
    try {
      return JSON.parse(queue.attributes.RedrivePolicy ?? '{}').deadLetterTargetArn === dlq.arn;
    } catch {
      return false;
    }
  });
}

function startMessageMoveTask(body, store) {
  const sourceArn = String(body.SourceArn ?? '');
  const source = store.getQueueByArn(sourceArn);
  if (!source) throw notFound('SourceArn');
  if (source.isFifo())
    throw unsupported('Source queue must be a standard queue: FIFO queues are not supported.');
  if (sourcesOf(store, source).length === 0)
    throw unsupported('Source queue must be configured as a Dead Letter Queue.');
  const destinationArn = body.DestinationArn === undefined ? undefined : String(body.DestinationArn);
  if (destinationArn !== undefined && !store.getQueueByArn(destinationArn)) throw notFound('DestinationArn');
  const rate =
    body.MaxNumberOfMessagesPerSecond === undefined ? undefined : Number(body.MaxNumberOfMessagesPerSecond);
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 500)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${body.MaxNumberOfMessagesPerSecond} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
    );
  }
  if (tasks.some((task) => task.SourceArn === sourceArn && task.Status === 'RUNNING'))
    throw unsupported(
      'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
    );
  source.processTimers();
  const task = {
    TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), 'utf8').toString('base64'),
    Status: 'RUNNING',
    SourceArn: sourceArn,
    ...(destinationArn !== undefined ? { DestinationArn: destinationArn } : {}),
    ...(rate !== undefined ? { MaxNumberOfMessagesPerSecond: rate } : {}),
    ApproximateNumberOfMessagesMoved: 0,
    ApproximateNumberOfMessagesToMove: source.messages.length,
    StartedTimestamp: Date.now(),
  };
  tasks.push(task);
  run(task, store, source, rate ?? DEFAULT_RATE);
  return { TaskHandle: task.TaskHandle };
}

/** Moves the task's messages at its rate, one tick at a time, until it has moved them all or is cancelled. */
function run(task, store, source, rate) {
  let budget = 0;
  const timer = setInterval(() => {
    if (task.Status !== 'RUNNING') return clearInterval(timer);
    budget = Math.min(budget + (rate * TICK_MS) / 1000, rate);
    source.processTimers();
    while (budget >= 1 && task.ApproximateNumberOfMessagesMoved < task.ApproximateNumberOfMessagesToMove) {
      const msg = source.messages[0];
      if (msg === undefined) break;
      const destination = store.getQueueByArn(task.DestinationArn ?? msg.deadLetterQueueSourceArn ?? '');
      if (!destination) {
        task.Status = 'FAILED';
        task.FailureReason = task.DestinationArn
          ? 'The destination queue does not exist any more.'
          : `Message ${msg.messageId} has no source queue to return to (it was not moved here by a redrive policy): give a DestinationArn.`;
        return clearInterval(timer);
      }
      source.messages.shift();
      source.persistence?.deleteMessage(msg.messageId);
      // A moved message starts over in its new queue.
      msg.approximateReceiveCount = 0;
      msg.approximateFirstReceiveTimestamp = undefined;
      msg.delayUntil = undefined;
      msg.deadLetterQueueSourceArn = undefined;
      destination.enqueue(msg);
      task.ApproximateNumberOfMessagesMoved += 1;
      budget -= 1;
    }
    if (
      task.ApproximateNumberOfMessagesMoved >= task.ApproximateNumberOfMessagesToMove ||
      source.messages.length === 0
    ) {
      task.Status = 'COMPLETED';
      clearInterval(timer);
    }
  }, TICK_MS);
}

function listMessageMoveTasks(body, store) {
  const sourceArn = String(body.SourceArn ?? '');
  if (!store.getQueueByArn(sourceArn)) throw notFound('SourceArn');
  const max = body.MaxResults === undefined ? 1 : Number(body.MaxResults);
  if (!(Number.isInteger(max) && max >= 1 && max <= 10)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${body.MaxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`,
    );
  }
  const results = tasks
    .filter((task) => task.SourceArn === sourceArn)
    .slice(-max)
    .reverse()
    .map(({ TaskHandle, ...task }) => ({ ...(task.Status === 'RUNNING' ? { TaskHandle } : {}), ...task }));
  return { Results: results };
}

function cancelMessageMoveTask(body) {
  const task = tasks.find((candidate) => candidate.TaskHandle === body.TaskHandle);
  if (!task) throw notFound('TaskHandle');
  if (task.Status !== 'RUNNING')
    throw unsupported(`The task is ${task.Status} and can no longer be cancelled.`);
  task.Status = 'CANCELLED';
  return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
}

// --- Registration ---------------------------------------------------------------------------------

const routers = new WeakSet();
const register = SqsRouter.prototype.register;
SqsRouter.prototype.register = function registerPatched(action, handler) {
  if (!routers.has(this)) {
    routers.add(this);
    register.call(this, 'StartMessageMoveTask', startMessageMoveTask);
    register.call(this, 'ListMessageMoveTasks', listMessageMoveTasks);
    register.call(this, 'CancelMessageMoveTask', cancelMessageMoveTask);
  }
  return register.call(this, action, action === 'ReceiveMessage' ? withDeadLetterSource(handler) : handler);
};

/**
 * Gives every queue the URL of this run: fauxqs keeps each queue's URL, port included, in its data
 * directory, so after a restart on a new port GetQueueUrl, ListQueues and CreateQueue would answer
 * with the previous run's port (which the edge then cannot recognise as fauxqs's and rewrite).
 * In memory only: the next start rebases again.
 */
export function rebaseQueueUrls(port) {
  for (const store of stores) {
    for (const queue of [...store.allQueues()]) {
      const url = queue.url.replace(/^(https?:\/\/sqs\.[^/:]+\.[^/:]+):\d+\//, `$1:${port}/`);
      if (url === queue.url) continue;
      store.queues.delete(queue.url);
      queue.url = url;
      store.queues.set(url, queue);
    }
  }
}
