import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { describeObject, describeObjectInputSchema } from './describe-object';

const logger = new Logger({ serviceName: 's3-metadata-pipeline' });
const s3 = new S3Client(SINGLE_ATTEMPT);

/** The DescribeObject state: HeadObject and tags of the event's object. */
export const handler = stepHandler({
  name: 'describe-object',
  schema: describeObjectInputSchema,
  logger,
  run: (input) => describeObject(input, { s3 }),
});
