import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/** Real AWS SDK clients pointed at the edge endpoint, as any user's code would be. */
export function clientsFor(endpoint: string) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  return {
    s3: new S3Client(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    sfn: new SFNClient(config),
    dynamo,
    /** The metadata item of a key, if any. */
    item: async (key: string, bucket = 'uploads') =>
      (
        await dynamo.send(
          new GetCommand({ TableName: 'S3FileMetadata', Key: { BucketName: bucket, ObjectKey: key } }),
        )
      ).Item,
  };
}

export type Clients = ReturnType<typeof clientsFor>;
