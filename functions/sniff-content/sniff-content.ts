import { type EnrichmentResult, type EnrichmentStageInput, sampleBytes } from '../core/enrichment';
import { categoryOfType, contentTypeMismatch, type Detection, detectContent } from './magic';

export const STAGE_NAME = 'content-sniffing';

/**
 * Content sniffing: what the object's first bytes (the sample DescribeObject
 * read) are, in which category, and whether the declared Content-Type
 * disagrees. Reads nothing itself.
 *
 * Attributes: `DetectedContentType` (null when unknown or unread),
 * `Category`, `ContentTypeMismatch`, `Sniffed` (false when there were no bytes to read:
 * an empty or archived object, whose category then comes from its declared type).
 */
export function sniffContent({ description, sample }: EnrichmentStageInput): EnrichmentResult {
  const declared = description.contentType;
  if (!sample.read) return result(undefined, declared, false);
  return result(detectContent(sampleBytes(sample), sample.complete), declared, true);
}

function result(detection: Detection | undefined, declared: string, sniffed: boolean): EnrichmentResult {
  return {
    stage: STAGE_NAME,
    attributes: {
      DetectedContentType: detection?.contentType ?? null,
      Category: detection?.category ?? categoryOfType(declared),
      ContentTypeMismatch: sniffed ? contentTypeMismatch(declared, detection) : false,
      Sniffed: sniffed,
    },
  };
}
