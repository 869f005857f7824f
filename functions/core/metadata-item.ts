import * as z from 'zod';
import { InvalidInputError } from './errors';
import type { ObjectEvent } from './object-event';
import { padSequencer } from './sequencer';

/**
 * What describe-object learns about an object (HeadObject + GetObjectTagging),
 * passed to the enrichment stages and to write-metadata.
 */
export const objectDescriptionSchema = z.object({
  contentType: z.string(),
  contentEncoding: z.string().optional(),
  contentLanguage: z.string().optional(),
  contentDisposition: z.string().optional(),
  cacheControl: z.string().optional(),
  size: z.number().int().nonnegative(),
  eTag: z.string(),
  lastModified: z.string(),
  storageClass: z.string(),
  versionId: z.string().optional(),
  serverSideEncryption: z.string().optional(),
  kmsKeyId: z.string().optional(),
  checksumAlgorithms: z.array(z.string()).optional(),
  checksumType: z.string().optional(),
  userMetadata: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
});

export type ObjectDescription = z.output<typeof objectDescriptionSchema>;

/** A value an enrichment stage may store: flat, so it can be filtered and indexed. */
const enrichmentValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * The output of one enrichment stage. Stages name their own attributes
 * (PascalCase, e.g. `DetectedContentType`); write-metadata stores them as
 * top-level attributes of the item.
 */
export const enrichmentResultSchema = z.object({
  stage: z.string().min(1),
  attributes: z.record(
    z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a PascalCase name'),
    enrichmentValueSchema,
  ),
});

export type EnrichmentResult = z.output<typeof enrichmentResultSchema>;
export type EnrichmentValue = z.output<typeof enrichmentValueSchema>;

/** `present` while the object exists; `deleted` once an ObjectRemoved event is recorded (a tombstone). */
export type ItemStatus = 'present' | 'deleted';

/**
 * One item of the metadata table. Keys: `BucketName` (partition), `ObjectKey`
 * (sort, the decoded key). Attribute names keep the original tutorial's
 * spelling; enrichment stages add their own top-level attributes.
 */
export interface MetadataItem {
  BucketName: string;
  ObjectKey: string;
  Status: ItemStatus;
  EventName: string;
  /** The event's sequencer, left-padded (see `padSequencer`): the guard of every write. */
  Sequencer: string;
  ExecutionArn: string;
  /** When S3 recorded the event (the event time). Sort key of both indexes. */
  UploadTime: string;
  /** `YYYY-MM-DD` of UploadTime: partition key of the "by upload day" index. */
  UploadDay: string;
  ProcessedAt: string;
  VersionId?: string;
  FileSize?: number;
  ETag?: string;
  /** Partition key of the "by content type" index. */
  ContentType?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  ContentDisposition?: string;
  CacheControl?: string;
  StorageClass?: string;
  LastModified?: string;
  ServerSideEncryption?: string;
  KmsKeyId?: string;
  ChecksumAlgorithms?: string[];
  ChecksumType?: string;
  UserMetadata?: Record<string, string>;
  Tags?: Record<string, string>;
  DeletedAt?: string;
  /** The version id of a removed event (the delete marker's, in a versioned bucket). */
  DeletedVersionId?: string;
  [enrichment: string]: unknown;
}

/** Attributes enrichment stages may not overwrite. */
export const CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'BucketName',
  'ObjectKey',
  'Status',
  'EventName',
  'Sequencer',
  'ExecutionArn',
  'UploadTime',
  'UploadDay',
  'ProcessedAt',
  'VersionId',
  'FileSize',
  'ETag',
  'ContentType',
  'ContentEncoding',
  'ContentLanguage',
  'ContentDisposition',
  'CacheControl',
  'StorageClass',
  'LastModified',
  'ServerSideEncryption',
  'KmsKeyId',
  'ChecksumAlgorithms',
  'ChecksumType',
  'UserMetadata',
  'Tags',
  'DeletedAt',
  'DeletedVersionId',
]);

interface ItemContext {
  object: ObjectEvent;
  executionArn: string;
  processedAt: Date;
}

function commonAttributes({ object, executionArn, processedAt }: ItemContext) {
  return {
    BucketName: object.bucket,
    ObjectKey: object.key,
    EventName: object.eventName,
    Sequencer: padSequencer(object.sequencer),
    ExecutionArn: executionArn,
    ProcessedAt: processedAt.toISOString(),
  };
}

/** Drops undefined values and empty collections: DynamoDB stores neither usefully. */
function compact<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[name] = value;
  }
  return out as T;
}

/**
 * Builds the whole item of an object that exists.
 * @throws InvalidInputError when an enrichment stage returns a core attribute
 *   or two stages return the same attribute (a programming error, not retried).
 */
export function buildPresentItem(
  context: ItemContext & { description: ObjectDescription; enrichments: readonly EnrichmentResult[] },
): MetadataItem {
  const { description, enrichments, object } = context;
  const enrichmentAttributes: Record<string, EnrichmentValue> = {};
  const owners = new Map<string, string>();
  for (const { stage, attributes } of enrichments) {
    for (const [name, value] of Object.entries(attributes)) {
      if (CORE_ATTRIBUTES.has(name)) {
        throw new InvalidInputError(
          `Enrichment stage "${stage}" returned "${name}", which is a core attribute`,
        );
      }
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new InvalidInputError(`Enrichment stages "${owner}" and "${stage}" both returned "${name}"`);
      }
      owners.set(name, stage);
      enrichmentAttributes[name] = value;
    }
  }
  return compact({
    ...enrichmentAttributes,
    ...commonAttributes(context),
    Status: 'present' as const,
    UploadTime: object.eventTime,
    UploadDay: object.eventTime.slice(0, 10),
    VersionId: description.versionId ?? object.versionId,
    FileSize: description.size,
    ETag: description.eTag,
    ContentType: description.contentType,
    ContentEncoding: description.contentEncoding,
    ContentLanguage: description.contentLanguage,
    ContentDisposition: description.contentDisposition,
    CacheControl: description.cacheControl,
    StorageClass: description.storageClass,
    LastModified: description.lastModified,
    ServerSideEncryption: description.serverSideEncryption,
    KmsKeyId: description.kmsKeyId,
    ChecksumAlgorithms: description.checksumAlgorithms,
    ChecksumType: description.checksumType,
    UserMetadata: description.userMetadata,
    Tags: description.tags,
  });
}

/** The attributes a delete sets on the item, keys excluded. */
export type TombstoneAttributes = Pick<
  MetadataItem,
  'Status' | 'EventName' | 'Sequencer' | 'ExecutionArn' | 'ProcessedAt' | 'DeletedAt' | 'DeletedVersionId'
>;

/**
 * The attributes a delete sets on the item. The rest of the item (size,
 * content type, upload time...) is kept as the last known state of the object;
 * a delete that arrives before any create leaves an item with only these.
 */
export function buildTombstoneAttributes(context: ItemContext): TombstoneAttributes {
  const { BucketName: _bucket, ObjectKey: _key, ...common } = commonAttributes(context);
  return compact({
    ...common,
    Status: 'deleted' as const,
    DeletedAt: context.object.eventTime,
    DeletedVersionId: context.object.versionId,
  });
}
