import type { DatabaseSync } from 'node:sqlite';
import type { EdgeRequest, EdgeResponse } from '../edge/http';

/**
 * Every message published to SNS through the runtime, as it was published,
 * kept by object (bucket and key of the notification's document) for the
 * console's object view. It watches Publish requests at the edge, so it sees
 * what the pipeline's Notify step really sent, whoever subscribes.
 */

export interface PublishedNotification {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The message as published (for `MessageStructure: json`, the per-protocol JSON). */
  message: string;
  /** The document subscribers that read JSON receive (the `default` message of a structured one). */
  document: unknown;
  attributes: Record<string, string>;
  publishedAt: number;
  /** What SNS's HTTP/S delivery reported for this message: one line per attempt, as the trace prints it. */
  deliveries: { at: number; line: string }[];
}

interface Row {
  message_id: string;
  topic_arn: string;
  subject: string | null;
  message: string;
  document: string;
  attributes: string;
  published_at: number;
}

/** The JSON document of a message: the `default` entry of a structured message, parsed when it is JSON. */
function documentOf(message: string, structured: boolean): unknown {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  if (!structured) return parse(message);
  const outer = parse(message) as { default?: string };
  return typeof outer?.default === 'string' ? parse(outer.default) : outer;
}

export class NotificationLog {
  /**
   * Rows not yet written. They are written together every 250 ms (and before
   * every read): one transaction instead of one synchronous commit per Publish
   * on the runtime's thread. What a killed runtime loses is only the console's
   * copy of its last notifications.
   */
  private pending: [string, (string | number | null)[]][] = [];
  private readonly timer = setInterval(() => this.flush(), 250).unref();

  constructor(private readonly store: DatabaseSync) {
    store.exec(`
      CREATE TABLE IF NOT EXISTS console_notifications (
        message_id TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, bucket TEXT, key TEXT, subject TEXT,
        message TEXT NOT NULL, document TEXT NOT NULL, attributes TEXT NOT NULL, published_at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS console_notifications_by_object ON console_notifications (bucket, key, published_at);
      CREATE TABLE IF NOT EXISTS console_deliveries (message_prefix TEXT NOT NULL, at REAL NOT NULL, line TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS console_deliveries_by_message ON console_deliveries (message_prefix, at);
    `);
  }

  /** Records a successful Publish (query protocol, as the SDK and the CLI send it); returns the response unchanged. */
  observe(request: EdgeRequest, response: EdgeResponse): EdgeResponse {
    if (response.status !== 200 || request.method !== 'POST') return response;
    const params = new URLSearchParams(request.body.toString('utf8'));
    if (params.get('Action') !== 'Publish') return response;
    const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(response.body.toString('utf8'))?.[1];
    if (messageId === undefined) return response;
    const message = params.get('Message') ?? '';
    const document = documentOf(message, params.get('MessageStructure') === 'json');
    const attributes: Record<string, string> = {};
    for (const [name, value] of params) {
      const entry = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(name);
      if (entry === null) continue;
      const base = `MessageAttributes.entry.${entry[1]}.Value`;
      attributes[value] = params.get(`${base}.StringValue`) ?? params.get(`${base}.BinaryValue`) ?? '';
    }
    const about = (typeof document === 'object' && document !== null ? document : {}) as {
      bucket?: unknown;
      key?: unknown;
    };
    this.pending.push([
      'INSERT OR REPLACE INTO console_notifications (message_id, topic_arn, bucket, key, subject, message, document, attributes, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        messageId,
        params.get('TopicArn') ?? '',
        typeof about.bucket === 'string' ? about.bucket : null,
        typeof about.key === 'string' ? about.key : null,
        params.get('Subject'),
        message,
        JSON.stringify(document),
        JSON.stringify(attributes),
        Date.now() / 1000,
      ],
    ]);
    return response;
  }

  /**
   * Keeps a line of the SNS subscribers' trace that reports an HTTP/S
   * delivery attempt of a notification (`... Notification 1a2b3c4d: delivered
   * (attempt 1, HTTP 200)`): the trace names a message by the first 8
   * characters of its id.
   */
  observeTrace(line: string): void {
    const message = /\bNotification ([0-9a-f]{8})\b/.exec(line)?.[1];
    if (message === undefined) return;
    this.pending.push([
      'INSERT INTO console_deliveries (message_prefix, at, line) VALUES (?, ?, ?)',
      [message, Date.now() / 1000, line.trim()],
    ]);
  }

  /** Writes what is pending, in one transaction. */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.store.exec('BEGIN');
    try {
      for (const [sql, values] of rows) this.store.prepare(sql).run(...values);
      this.store.exec('COMMIT');
    } catch (error) {
      this.store.exec('ROLLBACK');
      throw error;
    }
  }

  /** Writes what is pending and stops the timer (before the store closes). */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** The notifications about one object, oldest first. */
  forObject(bucket: string, key: string): PublishedNotification[] {
    this.flush();
    const rows = this.store
      .prepare('SELECT * FROM console_notifications WHERE bucket = ? AND key = ? ORDER BY published_at')
      .all(bucket, key) as unknown as Row[];
    const deliveries = this.store.prepare(
      'SELECT at, line FROM console_deliveries WHERE message_prefix = ? ORDER BY at',
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      topicArn: row.topic_arn,
      ...(row.subject !== null ? { subject: row.subject } : {}),
      message: row.message,
      document: JSON.parse(row.document) as unknown,
      attributes: JSON.parse(row.attributes) as Record<string, string>,
      publishedAt: row.published_at,
      deliveries: deliveries.all(row.message_id.slice(0, 8)) as unknown as { at: number; line: string }[],
    }));
  }
}
