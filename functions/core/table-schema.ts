/**
 * The metadata table's keys and indexes: what the functions read and write.
 * The local runtime creates its table from this; the CDK tests check that the
 * deployed table matches it (cdk/ does not import functions' code).
 */
export const TABLE_SCHEMA = {
  partitionKey: 'BucketName',
  sortKey: 'ObjectKey',
  indexes: [
    { indexName: 'ByContentType', partitionKey: 'ContentType', sortKey: 'UploadTime' },
    { indexName: 'ByUploadDay', partitionKey: 'UploadDay', sortKey: 'UploadTime' },
  ],
} as const;
