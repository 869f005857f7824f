import { type ContentCoding, codingOf, decodeSample } from '../core/content-coding';
import { type EnrichmentResult, type EnrichmentStageInput, sampleBytes } from '../core/enrichment';
import { categoryOfType, contentTypeMismatch, type Detection, detectContent } from './magic';

export const STAGE_NAME = 'content-sniffing';

/**
 * Content sniffing: what the object's first bytes (the sample DescribeObject
 * read) are, in which category, and whether the declared Content-Type
 * disagrees. Reads nothing itself. An object stored with a Content-Encoding
 * (gzip, br, zstd, deflate) is judged by its decoded content: a
 * `application/json` object sent `Content-Encoding: gzip` is JSON, as every
 * HTTP client that fetches it sees it.
 *
 * Attributes: `DetectedContentType` (null when unknown or unread),
 * `DetectedContentEncoding` (the coding the sample was decoded from, null when
 * none was declared or the bytes are not in it), `Category`,
 * `ContentTypeMismatch`, `Sniffed` (false when there were no bytes to read:
 * an empty or archived object, whose category then comes from its declared type).
 */
export function sniffContent({ description, sample }: EnrichmentStageInput): EnrichmentResult {
  const declared = description.contentType;
  if (!sample.read) return result(undefined, declared, false, null);
  const bytes = sampleBytes(sample);
  const coding = codingOf(description.contentEncoding);
  const decoded = coding === undefined ? undefined : decodeSample(bytes, coding);
  if (coding !== undefined && decoded !== undefined) {
    return result(detectContent(decoded, sample.complete), declared, true, coding);
  }
  return result(detectContent(bytes, sample.complete), declared, true, null);
}

function result(
  detection: Detection | undefined,
  declared: string,
  sniffed: boolean,
  coding: ContentCoding | null,
): EnrichmentResult {
  return {
    stage: STAGE_NAME,
    attributes: {
      DetectedContentType: detection?.contentType ?? null,
      DetectedContentEncoding: coding,
      Category: detection?.category ?? categoryOfType(declared),
      ContentTypeMismatch: sniffed ? contentTypeMismatch(declared, detection) : false,
      Sniffed: sniffed,
    },
  };
}
