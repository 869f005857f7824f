import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../core/env';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { logger, metrics, traced } from '../powertools';
import { writeMetadata, writeMetadataInputSchema } from './write-metadata';

const tableName = requireEnv('TABLE_NAME');
const dynamo = DynamoDBDocumentClient.from(traced(new DynamoDBClient(SINGLE_ATTEMPT)), {
  marshallOptions: { removeUndefinedValues: true },
});

/** The WriteMetadata, WriteTombstone and WriteMetadataUpdate states: one conditional write, newest event wins. */
export const handler = stepHandler({
  name: 'write-metadata',
  schema: writeMetadataInputSchema,
  logger,
  metrics,
  run: async (input, log) => {
    const result = await writeMetadata(input, { dynamo, tableName });
    if (!result.written) {
      log.info('Event is stale: not written', { reason: result.reason });
      metrics.addMetric('StaleEvents', 'Count', 1);
    } else if (result.status === 'deleted') {
      metrics.addMetric('ObjectsDeleted', 'Count', 1);
    } else if (result.status === 'updated') {
      metrics.addMetric('MetadataUpdates', 'Count', 1);
    } else {
      metrics.addMetric('ObjectsRecorded', 'Count', 1);
      metrics.addMetric('BytesRecorded', 'Bytes', result.item.FileSize ?? 0);
    }
    return result;
  },
});
