import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { encodeS3Key } from '../../../functions/core/keys';
import type { Store } from '../../store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, reply, requestId, xmlEscape } from '../http';
import { Sequencer } from './sequencer';
import { s3Xml } from './xml';

/**
 * S3 event notifications: the bucket's notification
 * configuration (Put/Get, queue destinations with prefix/suffix filters), the
 * s3:TestEvent S3 sends when a configuration is saved, and the event record
 * (version 2.1, URL-encoded key, increasing sequencer, bucket ARN) sent to
 * each matching queue after a write or delete.
 */

/** The account every local resource belongs to. */
export const ACCOUNT_ID = '000000000000';

/** One queue destination of a bucket's notification configuration. */
export interface QueueConfiguration {
  id: string;
  queueArn: string;
  /** e.g. `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`. */
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** What an event record says of the object: size and ETag for a creation, the version in a versioned bucket. */
export interface EventObject {
  size?: number;
  /** Unquoted, as event records carry it. */
  eTag?: string;
  /** Present when the bucket has versioning (enabled or suspended). */
  versionId?: string;
  /**
   * False for the events S3 sends without a sequencer ("only used with PUTs and
   * DELETEs" of objects): tagging, Lifecycle transitions, restores.
   * @default true
   */
  sequenced?: boolean;
}

/**
 * The event types a queue configuration may name here
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html):
 * the local S3 sends creations, removals and tagging events; Lifecycle and restore events are accepted
 * in a configuration (a deployment names them) though nothing here emits them.
 */
const SUPPORTED_EVENT =
  /^s3:(ObjectCreated:(\*|[A-Za-z]+)|ObjectRemoved:(\*|Delete|DeleteMarkerCreated)|ObjectTagging:(\*|Put|Delete)|LifecycleExpiration:(\*|Delete|DeleteMarkerCreated)|LifecycleTransition|ObjectRestore:(\*|Post|Completed|Delete))$/;

/** Matches `ObjectCreated:Put` against a configured pattern such as `s3:ObjectCreated:*`. */
export function eventMatches(pattern: string, eventName: string): boolean {
  const full = `s3:${eventName}`;
  return pattern.endsWith(':*') ? full.startsWith(pattern.slice(0, -1)) : pattern === full;
}

/** Whether a destination wants an event about a key (its events and its prefix/suffix filter). */
export function wants(configuration: QueueConfiguration, eventName: string, key: string): boolean {
  return (
    configuration.events.some((pattern) => eventMatches(pattern, eventName)) &&
    key.startsWith(configuration.prefix ?? '') &&
    key.endsWith(configuration.suffix ?? '')
  );
}

/** One S3 event notification record, event version 2.1, as S3 sends it. */
export function eventRecord(event: {
  region: string;
  eventName: string;
  bucket: string;
  /** `key` (URL-encoded), `sequencer`, for a creation `size` and `eTag`, and `versionId` in a versioned bucket. */
  object: Record<string, unknown>;
  configurationId: string;
  requestId: string;
  sourceIPAddress: string;
}) {
  return {
    // 2.3 for Lifecycle, tagging and restore events; 2.1 for the rest (notification-content-structure.html).
    eventVersion: /^(ObjectTagging|Lifecycle|ObjectRestore)/.test(event.eventName) ? '2.3' : '2.1',
    eventSource: 'aws:s3',
    awsRegion: event.region,
    eventTime: new Date().toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: `AWS:${ACCOUNT_ID}` },
    requestParameters: { sourceIPAddress: event.sourceIPAddress },
    responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': `local/${event.requestId}` },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: event.configurationId,
      bucket: {
        name: event.bucket,
        ownerIdentity: { principalId: ACCOUNT_ID },
        arn: `arn:aws:s3:::${event.bucket}`,
      },
      object: event.object,
    },
  };
}

type FilterRule = { Name?: string; Value?: string };
type ParsedConfiguration = {
  NotificationConfiguration?: {
    QueueConfiguration?: {
      Id?: string;
      Queue?: string;
      Event?: string[];
      Filter?: { S3Key?: { FilterRule?: FilterRule[] } };
    }[];
    TopicConfiguration?: unknown[];
    CloudFunctionConfiguration?: unknown[];
    EventBridgeConfiguration?: unknown;
  };
};

/** Reads a PutBucketNotificationConfiguration body; an S3 error for what the local runtime cannot deliver. */
function parseConfiguration(body: string): QueueConfiguration[] | EdgeResponse {
  const root = (s3Xml.parse(body) as ParsedConfiguration).NotificationConfiguration ?? {};
  if (
    root.TopicConfiguration ||
    root.CloudFunctionConfiguration ||
    root.EventBridgeConfiguration !== undefined
  ) {
    return s3Error(
      400,
      'InvalidArgument',
      'The local runtime delivers S3 notifications to SQS queues only (QueueConfiguration)',
    );
  }
  const configurations: QueueConfiguration[] = (root.QueueConfiguration ?? []).map((entry, index) => {
    const rules = entry.Filter?.S3Key?.FilterRule ?? [];
    const rule = (name: string) => rules.find((candidate) => candidate.Name?.toLowerCase() === name)?.Value;
    const prefix = rule('prefix');
    const suffix = rule('suffix');
    return {
      id: entry.Id ?? `notification-${index + 1}`,
      queueArn: entry.Queue ?? '',
      events: entry.Event ?? [],
      ...(prefix !== undefined ? { prefix } : {}),
      ...(suffix !== undefined ? { suffix } : {}),
    };
  });
  const invalid = configurations.find(
    (configuration) =>
      !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(configuration.queueArn) ||
      configuration.events.length === 0 ||
      !configuration.events.every((event) => SUPPORTED_EVENT.test(event)),
  );
  if (invalid !== undefined) {
    return s3Error(
      400,
      'InvalidArgument',
      `Invalid queue configuration "${invalid.id}": expected a queue ARN and s3:ObjectCreated:*, s3:ObjectRemoved:*, s3:ObjectTagging:*, s3:LifecycleExpiration:*, s3:LifecycleTransition or s3:ObjectRestore:* events (received ${JSON.stringify(invalid)})`,
    );
  }
  return configurations;
}

/** The GetBucketNotificationConfiguration document of a configuration. */
function configurationXml(configurations: QueueConfiguration[]): string {
  const body = configurations
    .map((configuration) => {
      const rules = [
        ...(configuration.prefix !== undefined ? [['prefix', configuration.prefix]] : []),
        ...(configuration.suffix !== undefined ? [['suffix', configuration.suffix]] : []),
      ]
        .map(
          ([name, value]) =>
            `<FilterRule><Name>${name}</Name><Value>${xmlEscape(value ?? '')}</Value></FilterRule>`,
        )
        .join('');
      return `<QueueConfiguration><Id>${xmlEscape(configuration.id)}</Id><Queue>${configuration.queueArn}</Queue>${configuration.events
        .map((event) => `<Event>${event}</Event>`)
        .join('')}${rules === '' ? '' : `<Filter><S3Key>${rules}</S3Key></Filter>`}</QueueConfiguration>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</NotificationConfiguration>`;
}

export interface NotificationsOptions {
  store: Store;
  /** Whether a bucket exists. */
  bucketExists: (bucket: string) => boolean;
  /** Where the queues live (fauxqs). */
  sqsEndpoint: string;
  region: string;
}

export class Notifications {
  private readonly sqs: SQSClient;
  private readonly sequencer = new Sequencer();

  constructor(private readonly options: NotificationsOptions) {
    this.sqs = new SQSClient({
      endpoint: options.sqsEndpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** The queue destinations of a bucket (none when nothing is configured). */
  configuration(bucket: string): QueueConfiguration[] {
    const row = this.options.store
      .prepare('SELECT configuration FROM s3_notifications WHERE bucket = ?')
      .get(bucket) as { configuration: string } | undefined;
    return row === undefined ? [] : (JSON.parse(row.configuration) as QueueConfiguration[]);
  }

  /** PutBucketNotificationConfiguration. */
  async put(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    if (!this.options.bucketExists(bucket))
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const configurations = parseConfiguration(request.body.toString('utf8'));
    if (!Array.isArray(configurations)) return configurations;
    // Like S3, prove each destination works by sending it an s3:TestEvent.
    for (const configuration of configurations) {
      const test = {
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: new Date().toISOString(),
        Bucket: bucket,
        RequestId: requestId(),
        HostId: 'local',
      };
      try {
        await this.sendToQueue(configuration.queueArn, JSON.stringify(test));
      } catch {
        return s3Error(
          400,
          'InvalidArgument',
          'Unable to validate the following destination configurations',
          {
            ArgumentName: configuration.queueArn,
          },
        );
      }
    }
    this.options.store
      .prepare('INSERT OR REPLACE INTO s3_notifications (bucket, configuration) VALUES (?, ?)')
      .run(bucket, JSON.stringify(configurations));
    return reply(200, '', 'application/xml');
  }

  /** GetBucketNotificationConfiguration. */
  async get(bucket: string): Promise<EdgeResponse> {
    if (!this.options.bucketExists(bucket)) {
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    return reply(200, configurationXml(this.configuration(bucket)), 'application/xml');
  }

  /** Sends the event record of a write or delete to every matching queue of the bucket's configuration. */
  async announce(
    bucket: string,
    key: string,
    eventName: string,
    request: EdgeRequest,
    described: EventObject = {},
  ): Promise<void> {
    const destinations = this.configuration(bucket).filter((configuration) =>
      wants(configuration, eventName, key),
    );
    if (destinations.length === 0) return;
    const object: Record<string, unknown> = { key: encodeS3Key(key) };
    if (described.size !== undefined) object.size = described.size;
    if (described.eTag !== undefined) object.eTag = described.eTag;
    if (described.versionId !== undefined) object.versionId = described.versionId;
    if (described.sequenced !== false) object.sequencer = this.sequencer.next();
    const id = requestId();
    for (const destination of destinations) {
      const record = eventRecord({
        region: this.options.region,
        eventName,
        bucket,
        object,
        configurationId: destination.id,
        requestId: id,
        sourceIPAddress: request.remoteAddress,
      });
      await this.sendToQueue(destination.queueArn, JSON.stringify({ Records: [record] }));
    }
  }

  private async sendToQueue(queueArn: string, body: string): Promise<void> {
    const [, , , , account, name] = queueArn.split(':');
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: `${this.options.sqsEndpoint}/${account}/${name}`,
        MessageBody: body,
      }),
    );
  }
}
