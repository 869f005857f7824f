import { enrichmentStageInputSchema } from '../core/enrichment';
import { stepHandler } from '../core/step';
import { logger, metrics } from '../powertools';
import { sniffContent } from './sniff-content';

/** The SniffContent enrichment stage: what the object's first bytes are (from the sample; no AWS call). */
export const handler = stepHandler({
  name: 'sniff-content',
  schema: enrichmentStageInputSchema,
  logger,
  metrics,
  run: async (input) => {
    const result = sniffContent(input);
    if (result.attributes.ContentTypeMismatch === true)
      metrics.addMetric('ContentTypeMismatches', 'Count', 1);
    return result;
  },
});
