import * as z from 'zod';
import { InvalidInputError } from './errors';
import { createsDeleteMarker, type ObjectEvent, recordTypeOf } from './object-event';
import { padSequencer } from './sequencer';
import { TABLE_SCHEMA } from './table-schema';

/**
 * The attributes that key an index (ContentType, UploadDay, UploadTime). DynamoDB
 * refuses an empty string as an index key value (the whole PutItem fails,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
 * so an empty one is left out: the item is simply not in that index.
 */
const INDEX_KEYS: ReadonlySet<string> = new Set(
  TABLE_SCHEMA.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
);

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
  /** The KMS key's ARN (HeadObject's x-amz-server-side-encryption-aws-kms-key-id). */
  kmsKeyArn: z.string().optional(),
  bucketKeyEnabled: z.boolean().optional(),
  checksumAlgorithm: z.string().optional(),
  checksumType: z.string().optional(),
  /** Parts of a multipart upload (HeadObject with PartNumber, or the ETag's -N suffix). */
  partsCount: z.number().int().positive().optional(),
  /** HeadObject's x-amz-restore of an archived object, parsed. */
  restore: z.object({ ongoing: z.boolean(), expiryDate: z.string().optional() }).optional(),
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

/** `present` while the key has a current version; `deleted` (a tombstone) when it has none or a delete marker is current. */
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
  /** S3 Metadata's record type of the last event applied: CREATE, UPDATE_METADATA or DELETE. */
  RecordType: 'CREATE' | 'UPDATE_METADATA' | 'DELETE';
  /** Who made the request (the event's userIdentity.principalId). */
  Requester?: string;
  SourceIpAddress?: string;
  /** S3's request id of the event (responseElements.x-amz-request-id). */
  RequestId?: string;
  /** True when the key's current version is a delete marker. */
  IsDeleteMarker: boolean;
  IsMultipart?: boolean;
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
  KmsKeyArn?: string;
  BucketKeyEnabled?: boolean;
  ChecksumAlgorithm?: string;
  ChecksumType?: string;
  /** `ongoing` while a restore from an archive runs, `restored` once a copy is readable (until RestoreExpiryDate). */
  RestoreStatus?: 'ongoing' | 'restored';
  RestoreExpiryDate?: string;
  /** Event time of the last metadata update (tags, transition, restore) applied: their guard, as they have no sequencer. */
  MetadataEventTime?: string;
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
  'RecordType',
  'Requester',
  'SourceIpAddress',
  'RequestId',
  'IsDeleteMarker',
  'IsMultipart',
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
  'KmsKeyArn',
  'BucketKeyEnabled',
  'ChecksumAlgorithm',
  'ChecksumType',
  'RestoreStatus',
  'RestoreExpiryDate',
  'MetadataEventTime',
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

/** What every write records of the event: which it was, who made it, when it was applied. */
function eventAttributes({ object, executionArn, processedAt }: ItemContext) {
  return {
    EventName: object.eventName,
    RecordType: recordTypeOf(object),
    ExecutionArn: executionArn,
    ProcessedAt: processedAt.toISOString(),
    Requester: object.requester,
    SourceIpAddress: object.sourceIpAddress,
    RequestId: object.requestId,
  };
}

/** The keys and the sequencer (the write guard) of a created or removed event. */
function commonAttributes(context: ItemContext) {
  const { object } = context;
  if (object.sequencer === undefined) {
    throw new InvalidInputError(
      `${object.eventName} of s3://${object.bucket}/${object.key} has no sequencer`,
    );
  }
  return {
    BucketName: object.bucket,
    ObjectKey: object.key,
    Sequencer: padSequencer(object.sequencer),
    ...eventAttributes(context),
  };
}

/** The restore attributes of a description: none unless the object was restored or is being restored. */
function restoreAttributes(description: Pick<ObjectDescription, 'restore'>) {
  if (description.restore === undefined) return {};
  return {
    RestoreStatus: description.restore.ongoing ? ('ongoing' as const) : ('restored' as const),
    RestoreExpiryDate: description.restore.expiryDate,
  };
}

/** Whether the described object was uploaded in parts: a CompleteMultipartUpload event, or an ETag with a part count. */
function isMultipart(object: ObjectEvent, description: ObjectDescription): boolean {
  return (
    object.eventName === 'ObjectCreated:CompleteMultipartUpload' ||
    description.partsCount !== undefined ||
    /-\d+$/.test(description.eTag)
  );
}

/** Drops undefined values and empty collections: DynamoDB stores neither usefully. */
function compact<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (value === '' && INDEX_KEYS.has(name)) continue;
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
  // A removal that left an older version current (versioned bucket) describes that version: it was
  // uploaded when it was last modified, not when the removal happened.
  const uploadTime = object.eventType === 'created' ? object.eventTime : description.lastModified;
  return compact({
    ...enrichmentAttributes,
    ...commonAttributes(context),
    Status: 'present' as const,
    IsDeleteMarker: false,
    IsMultipart: isMultipart(object, description),
    UploadTime: uploadTime,
    UploadDay: uploadTime.slice(0, 10),
    VersionId: description.versionId ?? (object.eventType === 'created' ? object.versionId : undefined),
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
    KmsKeyArn: description.kmsKeyArn,
    BucketKeyEnabled: description.bucketKeyEnabled,
    ChecksumAlgorithm: description.checksumAlgorithm,
    ChecksumType: description.checksumType,
    ...restoreAttributes(description),
    UserMetadata: description.userMetadata,
    Tags: description.tags,
  });
}

/** The attributes a delete sets on the item, keys excluded. */
export type TombstoneAttributes = Pick<
  MetadataItem,
  | 'Status'
  | 'EventName'
  | 'Sequencer'
  | 'ExecutionArn'
  | 'ProcessedAt'
  | 'RecordType'
  | 'Requester'
  | 'SourceIpAddress'
  | 'RequestId'
  | 'IsDeleteMarker'
  | 'DeletedAt'
  | 'DeletedVersionId'
>;

/** What made the key's current version go away: a delete marker (with its version id), or none at all. */
export interface RemovalState {
  /** The version id of the delete marker that is now current, when there is one. */
  deleteMarkerVersionId?: string;
}

/**
 * The attributes a delete sets on the item. The rest of the item (size,
 * content type, upload time...) is kept as the last known state of the object;
 * a delete that arrives before any create leaves an item with only these.
 * `removal` says what the key's current state was found to be (versioned
 * buckets); without it, the event alone decides: a `DeleteMarkerCreated`
 * event's version is the marker's.
 */
export function buildTombstoneAttributes(context: ItemContext, removal?: RemovalState): TombstoneAttributes {
  const { BucketName: _bucket, ObjectKey: _key, ...common } = commonAttributes(context);
  const { object } = context;
  const markerVersion =
    removal !== undefined
      ? removal.deleteMarkerVersionId
      : createsDeleteMarker(object.eventName)
        ? object.versionId
        : undefined;
  return compact({
    ...common,
    Status: 'deleted' as const,
    IsDeleteMarker:
      removal !== undefined ? markerVersion !== undefined : createsDeleteMarker(object.eventName),
    DeletedAt: object.eventTime,
    DeletedVersionId: markerVersion ?? object.versionId,
  });
}

/** What a metadata event (tags, Lifecycle transition, restore) changes on a present item. */
export interface MetadataUpdate {
  storageClass: string;
  tags: Record<string, string>;
  restore?: ObjectDescription['restore'];
}

/** The attributes a metadata event sets on a present item (no content is read again). */
export function buildUpdateAttributes(context: ItemContext, update: MetadataUpdate): Partial<MetadataItem> {
  const restore = restoreAttributes(update);
  return compact({
    ...eventAttributes(context),
    StorageClass: update.storageClass,
    Tags: update.tags,
    ...restore,
    MetadataEventTime: context.object.eventTime,
  });
}
