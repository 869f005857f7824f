import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * HTTP, HTTPS, email and email-json subscriptions, kept in the runtime's
 * SQLite store (so they survive a restart with `--data-dir`). SQS
 * subscriptions stay in fauxqs, which delivers to queues itself.
 */

export const OWN_PROTOCOLS = ['http', 'https', 'email', 'email-json'] as const;
export type OwnProtocol = (typeof OWN_PROTOCOLS)[number];

export const isOwnProtocol = (protocol: string): protocol is OwnProtocol =>
  (OWN_PROTOCOLS as readonly string[]).includes(protocol);

export type SubscriptionStatus = 'pending' | 'confirmed' | 'deleted';

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: OwnProtocol;
  endpoint: string;
  /** The confirmation token (SubscribeURL's `Token`); kept after unsubscribing, to restore. */
  token: string;
  status: SubscriptionStatus;
  /** Set attributes: RawMessageDelivery, DeliveryPolicy, RedrivePolicy, FilterPolicy, FilterPolicyScope. */
  attributes: Record<string, string>;
  /** ConfirmSubscription was called with AuthenticateOnUnsubscribe=true: unsubscribing needs a signed request. */
  authenticated: boolean;
}

interface Row {
  arn: string;
  topic_arn: string;
  protocol: string;
  endpoint: string;
  token: string;
  status: string;
  attributes: string;
  authenticated: number;
}

const fromRow = (row: Row): Subscription => ({
  arn: row.arn,
  topicArn: row.topic_arn,
  protocol: row.protocol as OwnProtocol,
  endpoint: row.endpoint,
  token: row.token,
  status: row.status as SubscriptionStatus,
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  authenticated: row.authenticated === 1,
});

export class SubscriptionStore {
  constructor(private readonly db: DatabaseSync) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS sns_subscriptions (
        arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE, status TEXT NOT NULL, attributes TEXT NOT NULL, authenticated INTEGER NOT NULL,
        created REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sns_subscriptions_by_topic ON sns_subscriptions (topic_arn, created);
    `);
  }

  put(subscription: Subscription): void {
    this.db
      .prepare(
        `INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, token, status, attributes, authenticated, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (arn) DO UPDATE SET status = excluded.status, attributes = excluded.attributes,
           authenticated = excluded.authenticated, token = excluded.token`,
      )
      .run(
        subscription.arn,
        subscription.topicArn,
        subscription.protocol,
        subscription.endpoint,
        subscription.token,
        subscription.status,
        JSON.stringify(subscription.attributes),
        subscription.authenticated ? 1 : 0,
        Date.now(),
      );
  }

  byArn(arn: string): Subscription | undefined {
    const row = this.db.prepare('SELECT * FROM sns_subscriptions WHERE arn = ?').get(arn) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  byToken(topicArn: string, token: string): Subscription | undefined {
    const row = this.db
      .prepare('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND token = ?')
      .get(topicArn, token) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** The live (pending or confirmed) subscriptions of a topic, or of every topic, oldest first. */
  list(topicArn?: string): Subscription[] {
    // Asked on every Publish: prepared once.
    this.byTopic ??= this.db.prepare(
      "SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND status != 'deleted' ORDER BY created",
    );
    const rows = (topicArn === undefined
      ? this.db.prepare("SELECT * FROM sns_subscriptions WHERE status != 'deleted' ORDER BY created").all()
      : this.byTopic.all(topicArn)) as unknown as Row[];
    return rows.map(fromRow);
  }

  private byTopic: StatementSync | undefined;

  /** Forgets every subscription of a deleted topic. */
  deleteTopic(topicArn: string): void {
    this.db.prepare('DELETE FROM sns_subscriptions WHERE topic_arn = ?').run(topicArn);
  }
}
