import { S3Client } from '@aws-sdk/client-s3';
import { enrichmentStageInputSchema } from '../core/enrichment';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { logger, metrics, traced } from '../powertools';
import { inspectMedia } from './inspect-media';

const s3 = traced(new S3Client(SINGLE_ATTEMPT));

/** The media inspection enrichment stage: dimensions, EXIF, page count, duration. */
export const handler = stepHandler({
  name: 'inspect-media',
  schema: enrichmentStageInputSchema,
  logger,
  metrics,
  run: (input, log) => inspectMedia(input, { s3, log }),
});
