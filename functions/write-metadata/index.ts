import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../core/env';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { writeMetadata, writeMetadataInputSchema } from './write-metadata';

const logger = new Logger({ serviceName: 's3-metadata-pipeline' });
const tableName = requireEnv('TABLE_NAME');
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(SINGLE_ATTEMPT), {
  marshallOptions: { removeUndefinedValues: true },
});

/** The WriteMetadata and WriteTombstone states: one conditional write, newest event wins. */
export const handler = stepHandler({
  name: 'write-metadata',
  schema: writeMetadataInputSchema,
  logger,
  run: async (input) => {
    const result = await writeMetadata(input, { dynamo, tableName });
    if (!result.written) logger.info('Event is stale: not written', { reason: result.reason });
    return result;
  },
});
