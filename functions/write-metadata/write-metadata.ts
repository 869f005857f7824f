import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { classifyAwsError } from '../core/errors';
import {
  buildPresentItem,
  buildTombstoneAttributes,
  enrichmentResultSchema,
  type MetadataItem,
  objectDescriptionSchema,
} from '../core/metadata-item';
import { objectEventSchema } from '../core/object-event';
import { padSequencer } from '../core/sequencer';

/**
 * What the WriteMetadata and WriteTombstone states pass. A created event
 * comes with its description and the enrichment stages' results; a removed
 * event with the object event alone.
 */
export const writeMetadataInputSchema = z
  .object({
    object: objectEventSchema,
    executionArn: z.string().min(1),
    description: objectDescriptionSchema.optional(),
    // One result per enrichment stage: by stage (as the workflow passes them) or as a list.
    enrichments: z
      .union([z.array(enrichmentResultSchema), z.record(z.string(), enrichmentResultSchema)])
      .default([])
      .transform((results) => (Array.isArray(results) ? results : Object.values(results))),
  })
  .refine((input) => input.object.eventType === 'removed' || input.description !== undefined, {
    message: 'a created event needs the description of its object',
    path: ['description'],
  });
export type WriteMetadataInput = z.output<typeof writeMetadataInputSchema>;

export interface WriteMetadataDeps {
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}

/** The outcome of a write. `written: false` is a normal outcome: a newer event was recorded first. */
export type WriteMetadataResult =
  | { written: true; status: 'recorded' | 'deleted'; item: MetadataItem }
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
    values: { ':seq': padSequencer(input.object.sequencer), ':exec': input.executionArn },
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
      `(stored sequencer ${storedSequencer(error).replace(/^0+(?=.)/, '')}, this event ${input.object.sequencer})`,
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

  if (object.eventType === 'created' && input.description !== undefined) {
    const item = buildPresentItem({
      object,
      executionArn,
      processedAt,
      description: input.description,
      enrichments: input.enrichments,
    });
    try {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: GUARD,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return stale(input, error);
      throw classifyAwsError(error, `PutItem ${target} in ${tableName}`);
    }
    return { written: true, status: 'recorded', item };
  }

  const attributes: Record<string, unknown> = buildTombstoneAttributes({ object, executionArn, processedAt });
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
