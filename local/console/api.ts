import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseNotificationBody } from '../../functions/core/s3-event';
import { TABLE_SCHEMA } from '../../functions/core/table-schema';
import type { ExecutionRecord, StepFunctionsService } from '../step-functions';
import { outcomeOf } from '../trace';
import { type AslDefinition, type DefinitionGraph, layoutDefinition } from './graph';
import { type HistoryEvent, type StateRun, stateRuns } from './history';
import type { NotificationLog, PublishedNotification } from './notifications';

/** What the console's page reads, one method per view. */

export interface ConsoleSources {
  store: DatabaseSync;
  stepFunctions: StepFunctionsService;
  definition: AslDefinition;
  s3: S3Client;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  notifications: NotificationLog;
  resources: {
    buckets: readonly string[];
    tableName: string;
    ingestQueueUrl: string;
    deadLetterQueueUrl: string;
    stateMachineArn: string;
  };
  /** Where SNS email subscriptions' `.eml` files are written, when there is such a folder. */
  mailDir?: string;
}

/** One row of the executions list. */
export interface ExecutionSummary {
  arn: string;
  name: string;
  status: string;
  /** What the workflow's output says happened (recorded, deleted, gone, superseded...), or the status. */
  outcome: string;
  bucket?: string;
  key?: string;
  eventName?: string;
  startDate: number;
  stopDate?: number;
}

export interface ExecutionsQuery {
  status?: string;
  prefix?: string;
  page: number;
  pageSize: number;
}

interface ExecutionRow {
  arn: string;
  name: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_date: number;
  stop_date: number | null;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/** Whether RedriveExecution would take the execution, as DescribeExecution says (`redriveStatus`, `redriveStatusReason`). */
export interface Redrive {
  available: boolean;
  reason: string;
  count: number;
  date?: number;
}

function objectOf(input: string): { bucket?: string; key?: string; eventName?: string } {
  try {
    const object = (JSON.parse(input) as { object?: { bucket?: string; key?: string; eventName?: string } })
      .object;
    return {
      ...(typeof object?.bucket === 'string' ? { bucket: object.bucket } : {}),
      ...(typeof object?.key === 'string' ? { key: object.key } : {}),
      ...(typeof object?.eventName === 'string' ? { eventName: object.eventName } : {}),
    };
  } catch {
    return {};
  }
}

function summaryOf(row: ExecutionRow): ExecutionSummary {
  const record = {
    status: row.status,
    ...(row.output !== null ? { output: row.output } : {}),
  } as ExecutionRecord;
  return {
    arn: row.arn,
    name: row.name,
    status: row.status,
    // A failed execution's outcome is its error's name (what the list most needs to say); a running
    // one (perhaps redriven after an error) has none yet.
    outcome:
      row.status === 'SUCCEEDED'
        ? outcomeOf(record)
        : row.status === 'RUNNING'
          ? row.status
          : (row.error ?? row.status),
    ...objectOf(row.input),
    startDate: row.start_date,
    ...(row.stop_date !== null ? { stopDate: row.stop_date } : {}),
  };
}

/** Why the starter refused a dead-lettered message: the same parsing and the same bucket check. */
export function whyDeadLettered(body: string, watched: readonly string[]): string {
  try {
    const parsed = parseNotificationBody(body);
    if (parsed.kind === 'test') return 'an s3:TestEvent (acknowledged, not normally dead-lettered)';
    const foreign = parsed.events.find((event) => !watched.includes(event.bucket));
    if (foreign !== undefined) {
      return `Bucket "${foreign.bucket}" is not watched by this pipeline (watched: ${watched.join(', ')})`;
    }
    return 'a valid S3 event: its execution could not be started (e.g. Step Functions throttled every attempt)';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export class ConsoleApi {
  private readonly documents: DynamoDBDocumentClient;
  private graphCache: DefinitionGraph | undefined;

  constructor(private readonly sources: ConsoleSources) {
    this.documents = DynamoDBDocumentClient.from(sources.dynamo);
  }

  /** The definition's graph, laid out once (the definition does not change while the runtime runs). */
  graph(): DefinitionGraph {
    this.graphCache ??= layoutDefinition(this.sources.definition);
    return this.graphCache;
  }

  executions(query: ExecutionsQuery): { executions: ExecutionSummary[]; total: number } {
    const where = ['state_machine_arn = ?'];
    const args: (string | number)[] = [this.sources.resources.stateMachineArn];
    if (query.status !== undefined && STATUSES.includes(query.status)) {
      where.push('status = ?');
      args.push(query.status);
    }
    if (query.prefix !== undefined && query.prefix !== '') {
      // substr, not LIKE: a key may hold % and _.
      where.push("substr(json_extract(input, '$.object.key'), 1, ?) = ?");
      args.push(query.prefix.length, query.prefix);
    }
    const clause = where.join(' AND ');
    const { total } = this.sources.store
      .prepare(`SELECT count(*) AS total FROM sfn_executions WHERE ${clause}`)
      .get(...args) as { total: number };
    const rows = this.sources.store
      .prepare(`SELECT * FROM sfn_executions WHERE ${clause} ORDER BY start_date DESC, arn LIMIT ? OFFSET ?`)
      .all(...args, query.pageSize, query.page * query.pageSize) as unknown as ExecutionRow[];
    return { executions: rows.map(summaryOf), total };
  }

  summary(arn: string): ExecutionSummary | undefined {
    const row = this.sources.store.prepare('SELECT * FROM sfn_executions WHERE arn = ?').get(arn) as
      | ExecutionRow
      | undefined;
    return row === undefined ? undefined : summaryOf(row);
  }

  /** Every event of an execution's history, through the service's GetExecutionHistory. */
  async history(arn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = (await this.sources.stepFunctions.handle('GetExecutionHistory', {
        executionArn: arn,
        maxResults: 1000,
        ...(nextToken !== undefined ? { nextToken } : {}),
      })) as { events: HistoryEvent[]; nextToken?: string };
      events.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return events;
  }

  /**
   * The execution as DescribeExecution answers it: redrive status and reason
   * (the service's own rules: STANDARD, failed/aborted/timed out, within 14
   * days, a history that has room), redrive count and date.
   */
  private async describe(arn: string): Promise<Redrive> {
    const described = (await this.sources.stepFunctions.handle('DescribeExecution', {
      executionArn: arn,
    })) as {
      redriveStatus?: string;
      redriveStatusReason?: string;
      redriveCount?: number;
      redriveDate?: number;
    };
    return {
      available: described.redriveStatus === 'REDRIVABLE',
      reason:
        described.redriveStatus === undefined
          ? 'this runtime has no RedriveExecution'
          : (described.redriveStatusReason ?? 'it can be redriven'),
      count: described.redriveCount ?? 0,
      ...(described.redriveDate !== undefined ? { date: described.redriveDate } : {}),
    };
  }

  async redrive(arn: string): Promise<unknown> {
    return this.sources.stepFunctions.handle('RedriveExecution', { executionArn: arn });
  }

  async execution(arn: string): Promise<
    | {
        execution: ExecutionSummary & { input: string; output?: string; error?: string; cause?: string };
        states: StateRun[];
        events: HistoryEvent[];
        redrive: Redrive;
      }
    | undefined
  > {
    const row = this.sources.store.prepare('SELECT * FROM sfn_executions WHERE arn = ?').get(arn) as
      | ExecutionRow
      | undefined;
    if (row === undefined) return undefined;
    const events = await this.history(arn);
    const summary = summaryOf(row);
    return {
      execution: {
        ...summary,
        input: row.input,
        ...(row.output !== null ? { output: row.output } : {}),
        ...(row.error !== null ? { error: row.error } : {}),
        ...(row.cause !== null ? { cause: row.cause } : {}),
      },
      states: stateRuns(this.sources.definition.States, events, row.status),
      events,
      redrive: await this.describe(arn),
    };
  }

  /** The object's item (tombstone included), the notifications about it, their emails, its executions. */
  async object(bucket: string, key: string) {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.sources.resources.tableName,
        Key: { [TABLE_SCHEMA.partitionKey]: bucket, [TABLE_SCHEMA.sortKey]: key },
        ConsistentRead: true,
      }),
    );
    const notifications = this.sources.notifications.forObject(bucket, key);
    const rows = this.sources.store
      .prepare(
        "SELECT * FROM sfn_executions WHERE json_extract(input, '$.object.bucket') = ? AND json_extract(input, '$.object.key') = ? ORDER BY start_date DESC LIMIT 100",
      )
      .all(bucket, key) as unknown as ExecutionRow[];
    return {
      bucket,
      key,
      item: Item ?? null,
      notifications: notifications.map((notification) => ({
        ...notification,
        mails: this.mailsFor(notification),
      })),
      executions: rows.map(summaryOf),
    };
  }

  /** The `.eml` files SNS's email subscriptions wrote for a message (their names end with its id's first 8 characters). */
  private mailsFor(notification: PublishedNotification): { file: string; text: string }[] {
    const dir = this.sources.mailDir;
    if (dir === undefined || !existsSync(dir)) return [];
    const suffix = `-${notification.messageId.slice(0, 8)}.eml`;
    return readdirSync(dir)
      .filter((file) => file.endsWith(suffix))
      .sort()
      .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  }

  async overview() {
    const counts = Object.fromEntries(
      (
        this.sources.store
          .prepare(
            'SELECT status, count(*) AS n FROM sfn_executions WHERE state_machine_arn = ? GROUP BY status',
          )
          .all(this.sources.resources.stateMachineArn) as { status: string; n: number }[]
      ).map((row) => [row.status, row.n]),
    );
    const depth = async (queueUrl: string) => {
      const { Attributes = {} } = await this.sources.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        url: queueUrl,
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    };
    const [ingest, deadLetters] = await Promise.all([
      depth(this.sources.resources.ingestQueueUrl),
      depth(this.sources.resources.deadLetterQueueUrl),
    ]);
    // A look at the first messages: received with a visibility timeout of 0, so they stay available.
    const peek =
      deadLetters.visible === 0
        ? []
        : ((
            await this.sources.sqs.send(
              new ReceiveMessageCommand({
                QueueUrl: this.sources.resources.deadLetterQueueUrl,
                MaxNumberOfMessages: 10,
                VisibilityTimeout: 0,
                MessageSystemAttributeNames: ['All'],
              }),
            )
          ).Messages ?? []);
    return {
      counts,
      total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      buckets: this.sources.resources.buckets,
      stateMachineArn: this.sources.resources.stateMachineArn,
      tableName: this.sources.resources.tableName,
      ingest,
      deadLetters: {
        ...deadLetters,
        messages: peek.map((message) => ({
          messageId: message.MessageId ?? '',
          sentAt: Number(message.Attributes?.SentTimestamp ?? 0) / 1000,
          // The queue it was dead-lettered from (SQS's DeadLetterQueueSourceArn), when SQS moved it there.
          source: message.Attributes?.DeadLetterQueueSourceArn?.split(':').at(-1) ?? '',
          body: (message.Body ?? '').slice(0, 2000),
          why: whyDeadLettered(message.Body ?? '', this.sources.resources.buckets),
        })),
      },
    };
  }

  async upload(bucket: string, key: string, body: Buffer, contentType: string | undefined) {
    if (!this.sources.resources.buckets.includes(bucket)) {
      throw new Error(
        `Bucket "${bucket}" is not watched (watched: ${this.sources.resources.buckets.join(', ')})`,
      );
    }
    const result = await this.sources.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
    return { bucket, key, eTag: result.ETag ?? '' };
  }
}
