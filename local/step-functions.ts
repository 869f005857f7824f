import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { type LambdaHandler, lambdaInvokeHandlers } from './lambda-invoke';
import type { Store } from './store';

/**
 * A minimal Step Functions service in front of aws-local-stepfunctions,
 * running the definition file with the real handlers. It answers the JSON API
 * (StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory,
 * ListStateMachines, DescribeStateMachine) with STANDARD semantics:
 *
 * - StartExecution with the name and input of a running execution returns that
 *   execution; any other reuse of a name is ExecutionAlreadyExists.
 * - Executions are durable: each is recorded before StartExecution answers,
 *   and executions still running when the runtime stopped (even killed) are
 *   restarted from the beginning when it starts again. Every step is
 *   idempotent, so a restart repeats work but never duplicates a result.
 * - RedriveExecution as AWS defines it: see {@link StepFunctionsService.redriveExecution}.
 */

/** One event of an execution as aws-local-stepfunctions reports it. */
export type EngineEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  arn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  /** Times the execution was redriven (0 until then). */
  redriveCount: number;
  /** When it was last redriven. */
  redriveDate?: number;
}

/** What the runtime's trace hears about an execution: the engine's events, a restart, a redrive, the end. */
export type ExecutionEvent =
  | EngineEvent
  | { type: 'Restarted' }
  | { type: 'Redriven'; state: string }
  | { type: 'Finished' };
export type ExecutionListener = (execution: ExecutionRecord, event: ExecutionEvent) => void;

export interface StepFunctionsOptions {
  store: Store;
  region: string;
  account: string;
  stateMachineName: string;
  /** The definition, placeholders filled. */
  definition: StateMachineDefinition;
  /** Handler by function ARN. */
  functions: Readonly<Record<string, LambdaHandler>>;
  /**
   * Executions running at once; more wait their turn (still RUNNING).
   * @default 64
   */
  maxConcurrentExecutions?: number;
  /**
   * Multiplies every Retry interval (0.1 makes waits ten times shorter).
   * @default 1, the definition's own intervals
   */
  retryIntervalScale?: number;
}

/** An error of the Step Functions API: its name becomes the JSON `__type`. */
export class StatesApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A request that breaks a documented constraint, worded as AWS's request
 * validation words it
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html).
 */
function validationError(field: string, value: unknown, constraint: string): StatesApiError {
  return new StatesApiError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** `maxResults`: 0 to 1000, 0 (or none) meaning the default of 100. */
function pageSize(value: unknown): number {
  if (value === undefined || value === null) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new StatesApiError('SerializationException', `maxResults must be an integer, not ${String(value)}`);
  if (value < 0)
    throw validationError('maxResults', value, 'Member must have value greater than or equal to 0');
  if (value > 1000)
    throw validationError('maxResults', value, 'Member must have value less than or equal to 1000');
  return value === 0 ? 100 : value;
}

/**
 * Pagination tokens are opaque: the offset of the next page and what is
 * listed. A token this service did not issue for the same listing is
 * InvalidToken ("Keep all other arguments unchanged").
 */
function pageToken(offset: number, listing: string): string {
  return Buffer.from(JSON.stringify({ offset, listing }), 'utf8').toString('base64url');
}

function pageOffset(token: unknown, listing: string): number {
  if (token === undefined || token === null) return 0;
  const text = String(token);
  if (text.length < 1 || text.length > 1024)
    throw validationError('nextToken', text, 'Member must have length between 1 and 1024');
  try {
    const decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      offset?: unknown;
      listing?: unknown;
    };
    if (Number.isInteger(decoded.offset) && (decoded.offset as number) >= 0 && decoded.listing === listing)
      return decoded.offset as number;
  } catch {
    // not one of ours: answered below
  }
  throw new StatesApiError('InvalidToken', `Invalid Token: '${text}'`);
}

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/**
 * An ARN of the expected resource type, or InvalidArn: a malformed ARN is
 * InvalidArn, not "does not exist" (DescribeExecution, ListExecutions,
 * GetExecutionHistory, DescribeStateMachine, StartExecution all list InvalidArn).
 */
function checkArn(value: unknown, type: 'execution' | 'stateMachine'): string {
  const arn = String(value ?? '');
  const parts = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:([A-Za-z]+):(.*)$/.exec(arn);
  if (parts === null) throw new StatesApiError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  const [, resource = '', rest = ''] = parts;
  if (resource !== type)
    throw new StatesApiError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${resource}'`,
    );
  const names = rest.split(':');
  const expected = type === 'execution' ? 2 : 1;
  if (names.length !== expected || names.some((name) => name === '' || name.length > 80))
    throw new StatesApiError('InvalidArn', `Invalid Arn: 'Invalid ${type} ARN: ${arn}'`);
  return arn;
}

// Step Functions execution names: 1-80 characters, no whitespace, brackets, wildcards, special or control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: excluding control characters is the rule
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

interface Row {
  arn: string;
  name: string;
  state_machine_arn: string;
  status: ExecutionStatus;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_date: number;
  stop_date: number | null;
  redrive_count: number;
  redrive_date: number | null;
}

function fromRow(row: Row): ExecutionRecord {
  return {
    arn: row.arn,
    name: row.name,
    stateMachineArn: row.state_machine_arn,
    status: row.status,
    input: row.input,
    startDate: row.start_date,
    ...(row.output !== null ? { output: row.output } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    ...(row.cause !== null ? { cause: row.cause } : {}),
    ...(row.stop_date !== null ? { stopDate: row.stop_date } : {}),
    redriveCount: row.redrive_count,
    ...(row.redrive_date !== null ? { redriveDate: row.redrive_date } : {}),
  };
}

/** The fields DescribeExecution and ListExecutions share. */
function summaryOf(execution: ExecutionRecord) {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate !== undefined ? { stopDate: execution.stopDate } : {}),
    redriveCount: execution.redriveCount,
    ...(execution.redriveDate !== undefined ? { redriveDate: execution.redriveDate } : {}),
  };
}

/**
 * RedriveExecution's rules (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html):
 * a STANDARD execution that did not succeed, within 14 days of its end, with
 * fewer than 25,000 history events; the reasons are DescribeExecution's
 * `redriveStatusReason` texts.
 */
const REDRIVABLE_PERIOD_SECONDS = 14 * 24 * 3600;
const MAX_HISTORY_EVENTS = 25_000;
/** Client tokens: the last 10 of an execution, each for 15 minutes. */
const CLIENT_TOKENS_KEPT = 10;
const CLIENT_TOKEN_SECONDS = 15 * 60;

/** Why an execution cannot be redriven now, or undefined when it can. */
function notRedrivableReason(execution: ExecutionRecord, events: number, now: number): string | undefined {
  if (execution.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven.';
  if (execution.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven.';
  if (events >= MAX_HISTORY_EVENTS) return 'Execution history event limit exceeded.';
  if (now - (execution.stopDate ?? execution.startDate) > REDRIVABLE_PERIOD_SECONDS)
    return 'Execution redrivable period exceeded.';
  return undefined;
}

/** Where a redrive resumes: the state entered and never exited (AWS: no <stateType>Exited for its <stateType>Entered), with its input. */
export interface RedrivePoint {
  state: string;
  input: string;
}

/**
 * The unsuccessful state of a history: the last state entered without a
 * matching exit. Undefined when every entered state exited (the execution
 * failed between states): the redrive then starts over from StartAt.
 */
export function redrivePointOf(history: readonly Record<string, unknown>[]): RedrivePoint | undefined {
  const open: RedrivePoint[] = [];
  for (const event of history) {
    const type = String(event.type);
    if (type.endsWith('StateEntered')) {
      const details = event.stateEnteredEventDetails as { name: string; input?: string };
      open.push({ state: details.name, input: details.input ?? '{}' });
    } else if (type.endsWith('StateExited')) {
      const name = (event.stateExitedEventDetails as { name: string }).name;
      const index = open.findLastIndex((entry) => entry.state === name);
      if (index >= 0) open.splice(index, 1);
    }
  }
  return open.at(-1);
}

/** Bounds the executions running at once. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

export class StepFunctionsService {
  readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  private readonly handlers: ReturnType<typeof lambdaInvokeHandlers>;
  private readonly retryOverrides: Record<string, number[]> | undefined;
  private readonly slots: Slots;
  private readonly listeners = new Set<ExecutionListener>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private stopping = false;
  /**
   * History events not yet in the store. They are written in batches (one
   * transaction every 200 ms, and at the end of each execution): an execution
   * cut short is replayed from its start anyway, so only its ExecutionStarted
   * and its final status must be durable, and those are written at once.
   */
  private pendingEvents: [string, number, string][] = [];
  private readonly flushTimer = setInterval(() => this.flushEvents(), 200).unref();

  constructor(private readonly options: StepFunctionsOptions) {
    this.stateMachineArn = `arn:aws:states:${options.region}:${options.account}:stateMachine:${options.stateMachineName}`;
    this.machine = new StateMachine(options.definition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    this.handlers = lambdaInvokeHandlers(options.definition, options.functions);
    this.slots = new Slots(options.maxConcurrentExecutions ?? 64);
    this.retryOverrides = this.scaledRetryIntervals(options.retryIntervalScale ?? 1);
    // The state machine is "created" the first time a runtime runs it on this data: a stable date.
    options.store
      .prepare('INSERT OR IGNORE INTO sfn_state_machines (arn, creation_date) VALUES (?, ?)')
      .run(this.stateMachineArn, Date.now() / 1000);
    this.creationDate = (
      options.store
        .prepare('SELECT creation_date FROM sfn_state_machines WHERE arn = ?')
        .get(this.stateMachineArn) as { creation_date: number }
    ).creation_date;
  }

  /** When the state machine was created (epoch seconds), as ListStateMachines and DescribeStateMachine say. */
  readonly creationDate: number;

  /** Restarts the executions a previous run left RUNNING. */
  resume(): number {
    const rows = this.options.store
      .prepare("SELECT * FROM sfn_executions WHERE status = 'RUNNING' ORDER BY start_date")
      .all() as unknown as Row[];
    for (const row of rows) {
      const execution = fromRow(row);
      if (execution.redriveCount > 0) {
        // A redriven execution resumes its redrive: the history up to its last ExecutionRedriven stays.
        const history = this.historyOf(execution.arn);
        const redrivenAt = history.findLastIndex((event) => event.type === 'ExecutionRedriven');
        const kept = history.slice(0, redrivenAt + 1);
        const lastEventId = Number(kept.at(-1)?.id ?? 1);
        this.options.store
          .prepare('DELETE FROM sfn_events WHERE execution_arn = ? AND id > ?')
          .run(execution.arn, lastEventId);
        const point = redrivePointOf(kept) ?? {
          state: this.options.definition.StartAt,
          input: execution.input,
        };
        for (const listener of this.listeners) listener(execution, { type: 'Restarted' });
        this.launch(execution, { point, lastEventId });
        continue;
      }
      // Keep ExecutionStarted (event 1); the rest is replayed by running again.
      this.options.store
        .prepare('DELETE FROM sfn_events WHERE execution_arn = ? AND id > 1')
        .run(execution.arn);
      for (const listener of this.listeners) listener(execution, { type: 'Restarted' });
      this.launch(execution);
    }
    return rows.length;
  }

  onExecutionEvent(listener: ExecutionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops accepting executions and waits for (or, past `graceMs`, abandons) the running ones. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearInterval(this.flushTimer);
    const all = Promise.allSettled([...this.running.values()].map((execution) => execution.done));
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([all, timer]);
    // Abandoned executions stay RUNNING in the store and are restarted next time.
    for (const execution of this.running.values()) execution.abort();
    this.flushEvents();
  }

  /** Writes the buffered history events in one transaction. */
  private flushEvents(): void {
    if (this.pendingEvents.length === 0) return;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    const insert = this.options.store.prepare(
      'INSERT OR REPLACE INTO sfn_events (execution_arn, id, event) VALUES (?, ?, ?)',
    );
    this.options.store.exec('BEGIN');
    try {
      for (const [arn, id, event] of events) insert.run(arn, id, event);
      this.options.store.exec('COMMIT');
    } catch (error) {
      this.options.store.exec('ROLLBACK');
      throw error;
    }
  }

  // --- the API ------------------------------------------------------------------------------

  /** Answers one API call (`X-Amz-Target: AWSStepFunctions.<action>`). */
  async handle(action: string, body: Record<string, unknown>): Promise<unknown> {
    switch (action) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'RedriveExecution':
        return this.redriveExecution(body);
      case 'DescribeExecution':
        return this.describeExecution(body);
      case 'ListExecutions':
        return this.listExecutions(body);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(body);
      case 'ListStateMachines':
        pageSize(body.maxResults);
        // One state machine, one page: no token was ever issued.
        if (body.nextToken !== undefined) pageOffset(body.nextToken, 'ListStateMachines');
        return {
          stateMachines: [
            {
              stateMachineArn: this.stateMachineArn,
              name: this.options.stateMachineName,
              type: 'STANDARD',
              creationDate: this.creationDate,
            },
          ],
        };
      case 'DescribeStateMachine':
        this.checkStateMachine(body.stateMachineArn);
        return {
          stateMachineArn: this.stateMachineArn,
          name: this.options.stateMachineName,
          status: 'ACTIVE',
          type: 'STANDARD',
          definition: JSON.stringify(this.options.definition),
          roleArn: `arn:aws:iam::${this.options.account}:role/local`,
          creationDate: this.creationDate,
        };
      default:
        throw new StatesApiError(
          'UnknownOperationException',
          `${action} is not available in the local runtime (StartExecution, RedriveExecution, DescribeExecution, ListExecutions, GetExecutionHistory, ListStateMachines, DescribeStateMachine are)`,
        );
    }
  }

  private checkStateMachine(arn: unknown): void {
    checkArn(arn, 'stateMachine');
    if (arn !== this.stateMachineArn) {
      throw new StatesApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${String(arn)}' (the local one is ${this.stateMachineArn})`,
      );
    }
  }

  startExecution(body: Record<string, unknown>): { executionArn: string; startDate: number } {
    if (this.stopping) throw new StatesApiError('ServiceUnavailable', 'The local runtime is stopping', 503);
    this.checkStateMachine(body.stateMachineArn);
    const name = typeof body.name === 'string' ? body.name : randomUUID();
    if (!NAME.test(name)) {
      throw new StatesApiError(
        'InvalidName',
        `Invalid Name: '${name}' (1-80 characters, no whitespace, brackets, wildcards or special characters)`,
      );
    }
    const input = typeof body.input === 'string' ? body.input : '{}';
    if (Buffer.byteLength(input) > 262_144)
      throw new StatesApiError('InvalidExecutionInput', 'Input is larger than 256 KiB');
    try {
      JSON.parse(input);
    } catch {
      throw new StatesApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${input.slice(0, 100)}' is not JSON`,
      );
    }
    const arn = `arn:aws:states:${this.options.region}:${this.options.account}:execution:${this.options.stateMachineName}:${name}`;
    const existing = this.find(arn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn: arn, startDate: existing.startDate };
      throw new StatesApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution: ExecutionRecord = {
      arn,
      name,
      stateMachineArn: this.stateMachineArn,
      status: 'RUNNING',
      input,
      startDate: Date.now() / 1000,
      redriveCount: 0,
    };
    this.options.store
      .prepare(
        "INSERT INTO sfn_executions (arn, name, state_machine_arn, status, input, start_date) VALUES (?, ?, ?, 'RUNNING', ?, ?)",
      )
      .run(arn, name, this.stateMachineArn, input, execution.startDate);
    this.appendEvent(
      arn,
      1,
      {
        type: 'ExecutionStarted',
        executionStartedEventDetails: {
          input,
          inputDetails: { truncated: false },
          roleArn: `arn:aws:iam::${this.options.account}:role/local`,
        },
      },
      true,
    );
    this.launch(execution);
    return { executionArn: arn, startDate: execution.startDate };
  }

  find(arn: string): ExecutionRecord | undefined {
    const row = this.options.store.prepare('SELECT * FROM sfn_executions WHERE arn = ?').get(arn) as
      | Row
      | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /**
   * DescribeExecution; `includedData: METADATA_ONLY` leaves out the input and output
   * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
   */
  private describeExecution(body: Record<string, unknown>) {
    const arn = checkArn(body.executionArn, 'execution');
    const included = body.includedData ?? 'ALL_DATA';
    if (included !== 'ALL_DATA' && included !== 'METADATA_ONLY')
      throw validationError(
        'includedData',
        included,
        'Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]',
      );
    const execution = this.find(arn);
    if (execution === undefined)
      throw new StatesApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const reason = notRedrivableReason(execution, this.eventCount(arn), Date.now() / 1000);
    return {
      ...summaryOf(execution),
      ...(included === 'ALL_DATA' ? { input: execution.input } : {}),
      inputDetails: { included: included === 'ALL_DATA' },
      ...(execution.output !== undefined
        ? {
            ...(included === 'ALL_DATA' ? { output: execution.output } : {}),
            outputDetails: { included: included === 'ALL_DATA' },
          }
        : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      redriveStatus: reason === undefined ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(reason !== undefined ? { redriveStatusReason: reason } : {}),
    };
  }

  private eventCount(arn: string): number {
    this.flushEvents();
    const row = this.options.store
      .prepare('SELECT COUNT(*) AS count FROM sfn_events WHERE execution_arn = ?')
      .get(arn) as { count: number };
    return row.count;
  }

  private historyOf(arn: string): Record<string, unknown>[] {
    this.flushEvents();
    return (
      this.options.store
        .prepare('SELECT event FROM sfn_events WHERE execution_arn = ? ORDER BY id')
        .all(arn) as { event: string }[]
    ).map((row) => JSON.parse(row.event) as Record<string, unknown>);
  }

  /** Client tokens of successful redrives, by execution: the answer to give when one comes again. */
  private readonly redriveTokens = new Map<string, { token: string; at: number; redriveDate: number }[]>();

  /**
   * RedriveExecution: the same execution (same ARN, same input) continues
   * from its unsuccessful state, with that state's original input; the states
   * that succeeded are not run again and keep their history. The execution
   * is RUNNING again, `redriveCount` goes up by one, the history gains an
   * ExecutionRedriven event, and the state machine timeout starts over.
   * Refused with ExecutionNotRedrivable for a RUNNING or SUCCEEDED execution,
   * past 14 days after its end, or past 25,000 history events. A repeated
   * `clientToken` (one of the last 10, within 15 minutes) returns the first
   * answer without redriving again.
   * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html)
   */
  redriveExecution(body: Record<string, unknown>): { redriveDate: number } {
    if (this.stopping) throw new StatesApiError('ServiceUnavailable', 'The local runtime is stopping', 503);
    const arn = String(body.executionArn ?? '');
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+$/.test(arn))
      throw new StatesApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    if (arn.includes(':express:')) {
      throw new StatesApiError(
        'ExecutionNotRedrivable',
        `Execution '${arn}' cannot be redriven: RedriveExecution is not supported by EXPRESS state machines.`,
      );
    }
    const execution = this.find(arn);
    if (execution === undefined)
      throw new StatesApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const now = Date.now() / 1000;
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    const tokens = (this.redriveTokens.get(arn) ?? []).filter(
      (entry) => now - entry.at < CLIENT_TOKEN_SECONDS,
    );
    const repeated = tokens.find((entry) => entry.token === token);
    if (token !== undefined && repeated !== undefined) return { redriveDate: repeated.redriveDate };
    const history = this.historyOf(arn);
    const reason = notRedrivableReason(execution, history.length, now);
    if (reason !== undefined)
      throw new StatesApiError('ExecutionNotRedrivable', `Execution '${arn}' cannot be redriven: ${reason}`);

    const point = redrivePointOf(history) ?? {
      state: this.options.definition.StartAt,
      input: execution.input,
    };
    const redriveCount = execution.redriveCount + 1;
    this.options.store
      .prepare(
        "UPDATE sfn_executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stop_date = NULL, redrive_count = ?, redrive_date = ? WHERE arn = ?",
      )
      .run(redriveCount, now, arn);
    const lastId = history.length === 0 ? 0 : Number(history.at(-1)?.id ?? history.length);
    this.appendEvent(
      arn,
      lastId + 1,
      { type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount } },
      true,
    );
    if (token !== undefined) {
      this.redriveTokens.set(
        arn,
        [...tokens, { token, at: now, redriveDate: now }].slice(-CLIENT_TOKENS_KEPT),
      );
    }
    const redriven: ExecutionRecord = {
      ...execution,
      status: 'RUNNING',
      redriveCount,
      redriveDate: now,
    };
    delete redriven.output;
    delete redriven.error;
    delete redriven.cause;
    delete redriven.stopDate;
    for (const listener of this.listeners) listener(redriven, { type: 'Redriven', state: point.state });
    this.launch(redriven, { point, lastEventId: lastId + 1 });
    return { redriveDate: now };
  }

  /** ListExecutions (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html). */
  private listExecutions(body: Record<string, unknown>) {
    this.checkStateMachine(body.stateMachineArn);
    const limit = pageSize(body.maxResults);
    const status = body.statusFilter === undefined ? undefined : String(body.statusFilter);
    if (status !== undefined && !EXECUTION_STATUSES.includes(status))
      throw validationError(
        'statusFilter',
        status,
        `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`,
      );
    if (
      body.redriveFilter !== undefined &&
      body.redriveFilter !== 'REDRIVEN' &&
      body.redriveFilter !== 'NOT_REDRIVEN'
    )
      throw validationError(
        'redriveFilter',
        body.redriveFilter,
        'Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]',
      );
    const listing = `ListExecutions ${this.stateMachineArn} ${status ?? ''} ${String(body.redriveFilter ?? '')}`;
    const offset = pageOffset(body.nextToken, listing);
    // redriveFilter: REDRIVEN (redriven at least once) or NOT_REDRIVEN.
    const redriven =
      body.redriveFilter === 'REDRIVEN'
        ? 'AND redrive_count > 0'
        : body.redriveFilter === 'NOT_REDRIVEN'
          ? 'AND redrive_count = 0'
          : '';
    const rows = this.options.store
      .prepare(
        `SELECT * FROM sfn_executions WHERE state_machine_arn = ? ${status ? 'AND status = ?' : ''} ${redriven} ORDER BY start_date DESC, arn LIMIT ? OFFSET ?`,
      )
      .all(
        ...([this.stateMachineArn, ...(status ? [status] : []), limit + 1, offset] as (string | number)[]),
      ) as unknown as Row[];
    const page = rows.slice(0, limit).map(fromRow);
    return {
      executions: page.map(summaryOf),
      ...(rows.length > limit ? { nextToken: pageToken(offset + limit, listing) } : {}),
    };
  }

  /**
   * GetExecutionHistory; `includeExecutionData: false` leaves every event's input and output out
   * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html).
   */
  private getExecutionHistory(body: Record<string, unknown>) {
    const arn = checkArn(body.executionArn, 'execution');
    const limit = pageSize(body.maxResults);
    const order = body.reverseOrder === true ? 'DESC' : 'ASC';
    const listing = `GetExecutionHistory ${arn} ${order}`;
    const offset = pageOffset(body.nextToken, listing);
    if (this.find(arn) === undefined)
      throw new StatesApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    this.flushEvents();
    const rows = this.options.store
      .prepare(`SELECT event FROM sfn_events WHERE execution_arn = ? ORDER BY id ${order} LIMIT ? OFFSET ?`)
      .all(arn, limit + 1, offset) as { event: string }[];
    const events = rows.slice(0, limit).map((row) => JSON.parse(row.event) as Record<string, unknown>);
    return {
      events: body.includeExecutionData === false ? events.map(withoutExecutionData) : events,
      ...(rows.length > limit ? { nextToken: pageToken(offset + limit, listing) } : {}),
    };
  }

  // --- running executions -------------------------------------------------------------------

  private scaledRetryIntervals(scale: number): Record<string, number[]> | undefined {
    if (scale === 1) return undefined;
    type AnyState = {
      Type: string;
      Retry?: { IntervalSeconds?: number; BackoffRate?: number }[];
      Branches?: { States: Record<string, AnyState> }[];
    };
    // aws-local-stepfunctions takes one fixed wait per retrier; the scaled first interval keeps the retry visible and quick.
    const collect = (states: Record<string, AnyState>): [string, number[]][] =>
      Object.entries(states).flatMap(([name, state]) => [
        ...(state.Retry
          ? [
              [name, state.Retry.map((retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * scale)] as [
                string,
                number[],
              ],
            ]
          : []),
        ...(state.Branches ?? []).flatMap((branch) => collect(branch.States)),
      ]);
    return Object.fromEntries(collect(this.options.definition.States as unknown as Record<string, AnyState>));
  }

  /** Records a history event: at once when `durable` (ExecutionStarted), else with the next batch. */
  private appendEvent(arn: string, id: number, event: Record<string, unknown>, durable = false): void {
    const text = JSON.stringify({ timestamp: Date.now() / 1000, id, previousEventId: id - 1, ...event });
    if (!durable) {
      this.pendingEvents.push([arn, id, text]);
      return;
    }
    this.options.store
      .prepare('INSERT OR REPLACE INTO sfn_events (execution_arn, id, event) VALUES (?, ?, ?)')
      .run(arn, id, text);
  }

  private launch(execution: ExecutionRecord, redrive?: { point: RedrivePoint; lastEventId: number }): void {
    let abort: () => void = () => undefined;
    const done = (async () => {
      await this.slots.acquire();
      try {
        if (this.stopping) return;
        await this.execute(
          execution,
          (fn) => {
            abort = fn;
          },
          redrive,
        );
      } finally {
        this.slots.release();
        this.running.delete(execution.arn);
      }
    })();
    this.running.set(execution.arn, { abort: () => abort(), done });
  }

  /** The machine that starts at a given state: a redrive's. */
  private readonly machinesByStart = new Map<string, StateMachine>();

  private machineStartingAt(state: string | undefined): StateMachine {
    if (state === undefined || state === this.options.definition.StartAt) return this.machine;
    let machine = this.machinesByStart.get(state);
    if (machine === undefined) {
      // The states before the redriven one are unreachable from it: the whole definition was
      // validated once already (this.machine), so this copy skips validation.
      machine = new StateMachine(
        { ...this.options.definition, StartAt: state },
        { validationOptions: { noValidate: true } },
      );
      this.machinesByStart.set(state, machine);
    }
    return machine;
  }

  private async execute(
    execution: ExecutionRecord,
    setAbort: (abort: () => void) => void,
    redrive?: { point: RedrivePoint; lastEventId: number },
  ): Promise<void> {
    const input = JSON.parse(execution.input) as never;
    const stateInput = redrive === undefined ? input : (JSON.parse(redrive.point.input) as never);
    const run = this.machineStartingAt(redrive?.point.state).run(stateInput, {
      overrides: {
        taskResourceLocalHandlers: this.handlers as never,
        ...(this.retryOverrides ? { retryIntervalOverrides: this.retryOverrides } : {}),
      },
      context: {
        Execution: {
          Id: execution.arn,
          Name: execution.name,
          StartTime: new Date(execution.startDate * 1000).toISOString(),
          Input: input,
          RoleArn: `arn:aws:iam::${this.options.account}:role/local`,
          RedriveCount: execution.redriveCount,
          ...(execution.redriveDate !== undefined
            ? { RedriveTime: new Date(execution.redriveDate * 1000).toISOString() }
            : {}),
        } as never,
        StateMachine: { Id: this.stateMachineArn, Name: this.options.stateMachineName },
      },
      noThrowOnAbort: true,
    });
    setAbort(run.abort);
    let id = redrive?.lastEventId ?? 1;
    const states: StatesSeen = { types: new Map(), failed: new Set() };
    const record = (event: Record<string, unknown>) => {
      id += 1;
      this.appendEvent(execution.arn, id, event);
    };
    const history = (async () => {
      for await (const event of run.eventLogs) {
        for (const listener of this.listeners) listener(execution, event);
        for (const mapped of toHistoryEvents(event, states)) record(mapped);
      }
    })();

    let outcome: Partial<ExecutionRecord>;
    try {
      const output = await run.result;
      if (output === null && this.stopping) return; // aborted by stop(): restarted next time
      outcome = { status: 'SUCCEEDED', output: JSON.stringify(output) };
    } catch (error) {
      if (error instanceof ExecutionTimeoutError) outcome = { status: 'TIMED_OUT' };
      else if (error instanceof ExecutionError) {
        const cause = error.cause as { name?: string; message?: string; cause?: unknown } | undefined;
        outcome = {
          status: 'FAILED',
          error: cause?.name ?? 'States.Runtime',
          cause: typeof cause?.cause === 'string' ? cause.cause : (cause?.message ?? error.message),
        };
      } else throw error;
    }
    await history;
    if (outcome.status === 'TIMED_OUT')
      record({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: {} });
    // The history first, then the status: a finished execution always shows its whole history.
    this.flushEvents();
    const stopDate = Date.now() / 1000;
    this.options.store
      .prepare(
        'UPDATE sfn_executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ? WHERE arn = ?',
      )
      .run(
        outcome.status ?? 'FAILED',
        outcome.output ?? null,
        outcome.error ?? null,
        outcome.cause ?? null,
        stopDate,
        execution.arn,
      );
    const finished = { ...execution, ...outcome, stopDate } as ExecutionRecord;
    for (const listener of this.listeners) listener(finished, { type: 'Finished' });
  }
}

/** A history event without its execution data: the `input` and `output` of its details. */
function withoutExecutionData(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([field, value]) => {
      if (!field.endsWith('EventDetails') || typeof value !== 'object' || value === null)
        return [field, value];
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      return [field, rest];
    }),
  );
}

/** The states entered so far (their types), and the Tasks whose last attempt failed (a Catch may take them). */
interface StatesSeen {
  types: Map<string, string>;
  failed: Set<string>;
}

/** Maps one engine event to the history events Step Functions records for it. */
function toHistoryEvents(event: EngineEvent, seen: StatesSeen): Record<string, unknown>[] {
  const states = seen.types;
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const lambda = { resourceType: 'lambda', resource: 'invoke' };
  switch (event.type) {
    case 'StateEntered': {
      const { name, type, input } = event.state;
      states.set(name, type);
      seen.failed.delete(name);
      const entered = { type: `${type}StateEntered`, stateEnteredEventDetails: { name, input: json(input) } };
      if (type === 'Task')
        return [
          entered,
          { type: 'TaskScheduled', taskScheduledEventDetails: { ...lambda, parameters: json(input) } },
          { type: 'TaskStarted', taskStartedEventDetails: lambda },
        ];
      if (type === 'Parallel') return [entered, { type: 'ParallelStateStarted' }];
      return [entered];
    }
    case 'StateFailed': {
      const type = states.get(event.state.name);
      const details = { error: event.Error, cause: String(event.Cause ?? '') };
      if (type === 'Task') {
        seen.failed.add(event.state.name);
        return [{ type: 'TaskFailed', taskFailedEventDetails: { ...lambda, ...details } }];
      }
      if (type === 'Parallel') return [{ type: 'ParallelStateFailed' }];
      return [];
    }
    case 'StateRetried': {
      // Step Functions shows a retry as the Task scheduled again after its failure.
      if (states.get(event.state.name) !== 'Task') return [];
      seen.failed.delete(event.state.name);
      return [
        {
          type: 'TaskScheduled',
          taskScheduledEventDetails: { ...lambda, parameters: json(event.state.input) },
        },
        { type: 'TaskStarted', taskStartedEventDetails: lambda },
      ];
    }
    case 'StateExited': {
      const { name, type, output } = event.state;
      const exited = { type: `${type}StateExited`, stateExitedEventDetails: { name, output: json(output) } };
      // A Task whose failure a Catch took exits with the Catch's output and no TaskSucceeded.
      if (type === 'Task' && seen.failed.delete(name)) return [exited];
      if (type === 'Task')
        return [
          { type: 'TaskSucceeded', taskSucceededEventDetails: { ...lambda, output: json(output) } },
          exited,
        ];
      if (type === 'Parallel') return [{ type: 'ParallelStateSucceeded' }, exited];
      return [exited];
    }
    case 'ExecutionSucceeded':
      return [{ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(event.output) } }];
    case 'ExecutionFailed':
      return [
        {
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') },
        },
      ];
    case 'ExecutionAborted':
      return [{ type: 'ExecutionAborted', executionAbortedEventDetails: {} }];
    default:
      return [];
  }
}
