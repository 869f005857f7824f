/**
 * The metadata table's keys and indexes: what the functions read and write.
 * The CDK construct builds the table from this, and the local runtime
 * creates its own from it. Pure data: `cdk/` may import this file (and
 * names.ts), never the functions' code.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'BucketName',
  sortKey: 'ObjectKey',
  indexes: [
    { indexName: 'ByContentType', partitionKey: 'ContentType', sortKey: 'UploadTime' },
    { indexName: 'ByUploadDay', partitionKey: 'UploadDay', sortKey: 'UploadTime' },
  ],
} as const;
