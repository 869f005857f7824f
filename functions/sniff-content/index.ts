import { S3Client } from '@aws-sdk/client-s3';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { logger, metrics, traced } from '../powertools';
import { sniffContent, sniffContentInputSchema } from './sniff-content';

const s3 = traced(new S3Client(SINGLE_ATTEMPT));

/** The SniffContent enrichment stage: what the object's first bytes are. */
export const handler = stepHandler({
  name: 'sniff-content',
  schema: sniffContentInputSchema,
  logger,
  metrics,
  run: async (input) => {
    const result = await sniffContent(input, { s3 });
    if (result.attributes.ContentTypeMismatch === true)
      metrics.addMetric('ContentTypeMismatches', 'Count', 1);
    return result;
  },
});
