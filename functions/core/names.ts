/**
 * Names and numbers that the stack, the functions, the local runtime, the
 * tools and the bench must agree on, defined once. Pure data: `cdk/` may
 * import this file (and table-schema.ts), never the functions' code.
 */

/** The metadata table's name when none is configured (the original tutorial's). */
export const DEFAULT_TABLE_NAME = 'S3FileMetadata';

/** Powertools' service name: the `service` dimension of every metric and the `service` key of every log line. */
export const SERVICE_NAME = 's3-metadata-pipeline';

/** The CloudWatch namespace of the functions' metrics (Powertools). */
export const METRIC_NAMESPACE = 'S3MetadataPipeline';

/** Deliveries of an ingest message before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * The S3 event types the pipeline subscribes each watched bucket to
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html).
 * The removals are subscribed unless deletes are not recorded. Not subscribed,
 * because they change nothing the item records: s3:ObjectAcl:Put,
 * s3:Replication:*, s3:IntelligentTiering (the storage class stays
 * INTELLIGENT_TIERING), s3:ReducedRedundancyLostObject.
 */
export const SUBSCRIBED_EVENT_TYPES = {
  always: [
    's3:ObjectCreated:*',
    's3:ObjectTagging:*',
    's3:LifecycleTransition',
    's3:ObjectRestore:Post',
    's3:ObjectRestore:Completed',
    's3:ObjectRestore:Delete',
  ],
  removals: ['s3:ObjectRemoved:*', 's3:LifecycleExpiration:*'],
} as const;
