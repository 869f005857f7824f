import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeETag } from '../../functions/core/s3-event';

/**
 * The classic design, for comparison: what most tutorials build. One Lambda
 * triggered directly by the S3 event; HeadObject, then PutItem into a table
 * whose only key is the object key; DeleteItem on ObjectRemoved. It decodes
 * keys correctly (a fair comparison), but has no sequencer guard, no
 * idempotency, no bucket in the key.
 */
export interface ClassicEvent {
  Records: {
    eventName: string;
    eventTime: string;
    s3: { bucket: { name: string }; object: { key: string } };
  }[];
}

export function classicHandler(deps: { s3: S3Client; dynamo: DynamoDBDocumentClient; tableName: string }) {
  return async (event: ClassicEvent): Promise<void> => {
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      if (record.eventName.startsWith('ObjectRemoved')) {
        await deps.dynamo.send(new DeleteCommand({ TableName: deps.tableName, Key: { ObjectKey: key } }));
        continue;
      }
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      await deps.dynamo.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            ObjectKey: key,
            BucketName: bucket,
            FileSize: head.ContentLength ?? 0,
            ETag: normalizeETag(head.ETag ?? ''),
            ContentType: head.ContentType ?? 'application/octet-stream',
            UploadTime: record.eventTime,
          },
        }),
      );
    }
  };
}
