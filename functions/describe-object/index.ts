import { S3Client } from '@aws-sdk/client-s3';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { logger, metrics, traced } from '../powertools';
import { describeObject, describeObjectInputSchema } from './describe-object';

const s3 = traced(new S3Client(SINGLE_ATTEMPT));

/** The DescribeObject state: HeadObject and tags of the event's object. */
export const handler = stepHandler({
  name: 'describe-object',
  schema: describeObjectInputSchema,
  logger,
  metrics,
  run: (input) => describeObject(input, { s3 }),
});
