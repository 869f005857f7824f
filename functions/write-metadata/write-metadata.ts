import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { classifyAwsError } from '../core/errors';
import {
  buildPresentItem,
  buildTombstoneAttributes,
  buildUpdateAttributes,
  enrichmentResultSchema,
  type MetadataItem,
  objectDescriptionSchema,
} from '../core/metadata-item';
import { objectEventSchema } from '../core/object-event';
import { padSequencer } from '../core/sequencer';

/**
 * What the WriteMetadata, WriteTombstone and WriteMetadataUpdate states pass.
 * A created event (or a removal that left an older version current) comes
 * with its description and the enrichment stages' results; a removed event
 * with the object event alone, and `removal` when DescribeCurrent found what is
 * current; a metadata event with `update`.
 */
export const writeMetadataInputSchema = z
  .object({
    object: objectEventSchema,
    executionArn: z.string().min(1),
    // null when DescribeCurrent found no current version: the removal is then a tombstone.
    description: objectDescriptionSchema.nullish(),
    removal: z.object({ deleteMarkerVersionId: z.string().optional() }).nullish(),
    update: z
      .object({
        storageClass: z.string(),
        tags: z.record(z.string(), z.string()),
        restore: objectDescriptionSchema.shape.restore,
      })
      .optional(),
    // One result per enrichment stage: by stage (as the workflow passes them) or as a list.
    enrichments: z
      .union([z.array(enrichmentResultSchema), z.record(z.string(), enrichmentResultSchema)])
      .default([])
      .transform((results) => (Array.isArray(results) ? results : Object.values(results))),
  })
  .refine(
    (input) =>
      input.object.eventType === 'removed' ||
      (input.object.eventType === 'created' && input.description != null) ||
      (input.object.eventType === 'updated' && input.update !== undefined),
    {
      message: 'a created event needs the description of its object, a metadata event its update',
      path: ['description'],
    },
  );
export type WriteMetadataInput = z.output<typeof writeMetadataInputSchema>;

export interface WriteMetadataDeps {
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}

/** The outcome of a write. `written: false` is a normal outcome: a newer event was recorded first. */
export type WriteMetadataResult =
  | { written: true; status: 'recorded' | 'deleted' | 'updated'; item: MetadataItem }
  | { written: false; status: 'stale'; reason: string };

/**
 * The guard of every write: the item is new, or holds an older event, or holds
 * this very event written by this very execution (a retry after the write
 * succeeded but the step did not return). Sequencers are stored padded, so the
 * string comparison orders them (see core/sequencer.ts).
 */
const GUARD = 'attribute_not_exists(#seq) OR #seq < :seq OR (#seq = :seq AND #exec = :exec)';

function guardValues(input: WriteMetadataInput) {
  return {
    names: { '#seq': 'Sequencer', '#exec': 'ExecutionArn' },
    values: { ':seq': padSequencer(input.object.sequencer ?? '0'), ':exec': input.executionArn },
  };
}

/** The one SDK error this step expects: the guard held back an older event (the SDK's own class, not a name). */
function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/** The stored sequencer from a failed condition's ALL_OLD item (marshalled or not). */
function storedSequencer(error: { Item?: Record<string, unknown> }): string {
  const value = error.Item?.Sequencer;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'S' in value && typeof value.S === 'string')
    return value.S;
  return 'unknown';
}

function stale(input: WriteMetadataInput, error: { Item?: Record<string, unknown> }): WriteMetadataResult {
  return {
    written: false,
    status: 'stale',
    reason:
      `s3://${input.object.bucket}/${input.object.key} already records a newer event ` +
      `(stored sequencer ${storedSequencer(error).replace(/^0+(?=.)/, '')}, this event ${input.object.sequencer ?? 'none'})`,
  };
}

/** The item already records this very version as present. */
const UNCHANGED_GUARD = 'NOT (#status = :present AND #version = :version AND #etag = :etag)';

/**
 * Why a removal's write of the current version was refused: the event is stale, or the version it
 * found current is the one already recorded. Then only the guard moves on (Sequencer, ExecutionArn,
 * ProcessedAt), so that an older event arriving later cannot overwrite the state this one confirmed;
 * the item's description and event stay as they are, and nobody is notified.
 */
async function unchangedOrStale(
  input: WriteMetadataInput,
  error: ConditionalCheckFailedException,
  item: MetadataItem,
  { dynamo, tableName }: WriteMetadataDeps,
): Promise<WriteMetadataResult> {
  const stored = (error.Item ?? {}) as Record<string, { S?: string } | string | undefined>;
  const text = (value: { S?: string } | string | undefined) => (typeof value === 'string' ? value : value?.S);
  const sameVersion =
    text(stored.Status) === 'present' &&
    text(stored.VersionId) === (item.VersionId ?? 'null') &&
    text(stored.ETag) === item.ETag;
  if (!sameVersion || storedSequencer(error) >= (item.Sequencer ?? '')) return stale(input, error);
  const { names, values } = guardValues(input);
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { BucketName: item.BucketName, ObjectKey: item.ObjectKey },
        UpdateExpression: 'SET #seq = :seq, #exec = :exec, #processed = :processed',
        ConditionExpression: GUARD,
        ExpressionAttributeNames: { ...names, '#processed': 'ProcessedAt' },
        ExpressionAttributeValues: { ...values, ':processed': item.ProcessedAt },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (raced) {
    if (isConditionFailure(raced)) return stale(input, raced);
    throw classifyAwsError(
      raced,
      `UpdateItem (sequencer) s3://${item.BucketName}/${item.ObjectKey} in ${tableName}`,
    );
  }
  return {
    written: false,
    status: 'stale',
    reason: `s3://${input.object.bucket}/${input.object.key} already records version ${item.VersionId ?? 'null'}, still the current one: ${input.object.eventName} of version ${input.object.versionId ?? 'null'} changed nothing`,
  };
}

/**
 * Writes the metadata item of one event in a single conditional request:
 * the whole item for a created event (PutItem), the tombstone attributes for a
 * removed one (UpdateItem, keeping the last known state of the object).
 * An older event never overwrites a newer one.
 *
 * @throws ThrottledError, TransientError, PermanentError from DynamoDB.
 */
export async function writeMetadata(
  input: WriteMetadataInput,
  deps: WriteMetadataDeps,
): Promise<WriteMetadataResult> {
  const { dynamo, tableName } = deps;
  const processedAt = (deps.now ?? (() => new Date()))();
  const { object, executionArn } = input;
  const { names, values } = guardValues(input);
  const target = `s3://${object.bucket}/${object.key}`;

  if (object.eventType === 'updated') return writeUpdate(input, deps, processedAt);
  // A created event, or a removal after which an older version is current (versioned bucket): the whole item.
  if (input.description != null) {
    const item = buildPresentItem({
      object,
      executionArn,
      processedAt,
      description: input.description,
      enrichments: input.enrichments,
    });
    // A removal after which the version already recorded is still current (a noncurrent version was
    // deleted) changes nothing: no write, no notification.
    const unchanged = object.eventType === 'removed' ? UNCHANGED_GUARD : undefined;
    try {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: unchanged ? `(${GUARD}) AND ${unchanged}` : GUARD,
          ExpressionAttributeNames: {
            ...names,
            ...(unchanged ? { '#status': 'Status', '#version': 'VersionId', '#etag': 'ETag' } : {}),
          },
          ExpressionAttributeValues: {
            ...values,
            ...(unchanged
              ? { ':present': 'present', ':version': item.VersionId ?? 'null', ':etag': item.ETag }
              : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return unchangedOrStale(input, error, item, deps);
      throw classifyAwsError(error, `PutItem ${target} in ${tableName}`);
    }
    return { written: true, status: 'recorded', item };
  }

  const attributes: Record<string, unknown> = buildTombstoneAttributes(
    { object, executionArn, processedAt },
    input.removal ?? undefined,
  );
  const set = Object.keys(attributes).map((_, index) => `#a${index} = :a${index}`);
  const setNames = Object.fromEntries(Object.keys(attributes).map((name, index) => [`#a${index}`, name]));
  const setValues = Object.fromEntries(
    Object.values(attributes).map((value, index) => [`:a${index}`, value]),
  );
  // A tombstone of an unversioned delete must not keep the version id of an earlier one.
  const remove = attributes.DeletedVersionId === undefined ? ' REMOVE #deletedVersion' : '';
  try {
    const response = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { BucketName: object.bucket, ObjectKey: object.key },
        UpdateExpression: `SET ${set.join(', ')}${remove}`,
        ConditionExpression: GUARD,
        ExpressionAttributeNames: {
          ...names,
          ...setNames,
          ...(remove ? { '#deletedVersion': 'DeletedVersionId' } : {}),
        },
        ExpressionAttributeValues: { ...values, ...setValues },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const item = (response.Attributes ?? {
      BucketName: object.bucket,
      ObjectKey: object.key,
      ...attributes,
    }) as MetadataItem;
    return { written: true, status: 'deleted', item };
  } catch (error) {
    if (isConditionFailure(error)) return stale(input, error);
    throw classifyAwsError(error, `UpdateItem (tombstone) ${target} in ${tableName}`);
  }
}

/**
 * The guard of a metadata event (tags, Lifecycle transition, restore), which
 * S3 sends without a sequencer: the item is present, was created no later than
 * the event, holds no later metadata event, and (versioned bucket) describes
 * the event's version. The attributes written were read when the step ran,
 * so a later read never loses to an earlier one that arrives late.
 */
const UPDATE_GUARD =
  'attribute_exists(#status) AND #status = :present AND #upload <= :time AND (attribute_not_exists(#metaTime) OR #metaTime < :time)';

/** Applies a metadata event to a present item (UpdateItem): no content is read, the sequencer is left alone. */
async function writeUpdate(
  input: WriteMetadataInput,
  { dynamo, tableName }: WriteMetadataDeps,
  processedAt: Date,
): Promise<WriteMetadataResult> {
  const { object, executionArn, update } = input;
  if (update === undefined) throw new Error('writeUpdate needs an update'); // excluded by the input schema
  const attributes = buildUpdateAttributes({ object, executionArn, processedAt }, update);
  const entries = Object.entries(attributes);
  const set = entries.map((_, index) => `#a${index} = :a${index}`);
  // A restore that expired, or tags all removed, must not leave the old values behind.
  const removable = ['RestoreStatus', 'RestoreExpiryDate'].filter((name) => !(name in attributes));
  const versioned = object.versionId !== undefined;
  try {
    const response = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { BucketName: object.bucket, ObjectKey: object.key },
        UpdateExpression: `SET ${set.join(', ')}${removable.length > 0 ? ` REMOVE ${removable.map((_, index) => `#r${index}`).join(', ')}` : ''}`,
        ConditionExpression: `${UPDATE_GUARD}${versioned ? ' AND #version = :version' : ''}`,
        ExpressionAttributeNames: {
          '#status': 'Status',
          '#upload': 'UploadTime',
          '#metaTime': 'MetadataEventTime',
          ...(versioned ? { '#version': 'VersionId' } : {}),
          ...Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
          ...Object.fromEntries(removable.map((name, index) => [`#r${index}`, name])),
        },
        ExpressionAttributeValues: {
          ':present': 'present',
          ':time': object.eventTime,
          ...(versioned ? { ':version': object.versionId } : {}),
          ...Object.fromEntries(entries.map(([, value], index) => [`:a${index}`, value])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { written: true, status: 'updated', item: response.Attributes as MetadataItem };
  } catch (error) {
    if (isConditionFailure(error)) {
      return {
        written: false,
        status: 'stale',
        reason:
          `s3://${object.bucket}/${object.key} has no present item of ${versioned ? `version ${object.versionId}` : 'this object'} ` +
          `created by ${object.eventTime} without a later metadata event: ${object.eventName} left it as it is`,
      };
    }
    throw classifyAwsError(
      error,
      `UpdateItem (metadata) s3://${object.bucket}/${object.key} in ${tableName}`,
    );
  }
}
