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
