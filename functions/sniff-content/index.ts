import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { sniffContent, sniffContentInputSchema } from './sniff-content';

const logger = new Logger({ serviceName: 's3-metadata-pipeline' });
const s3 = new S3Client(SINGLE_ATTEMPT);

/** The SniffContent enrichment stage: what the object's first bytes are. */
export const handler = stepHandler({
  name: 'sniff-content',
  schema: sniffContentInputSchema,
  logger,
  run: (input) => sniffContent(input, { s3 }),
});
