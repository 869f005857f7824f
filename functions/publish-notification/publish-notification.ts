import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { classifyAwsError } from '../core/errors';
import type { MetadataItem } from '../core/metadata-item';
import { buildNotification } from '../core/notification';
import { objectEventSchema } from '../core/object-event';

const itemSchema = z.looseObject({
  BucketName: z.string(),
  ObjectKey: z.string(),
  Status: z.enum(['present', 'deleted']),
});

/**
 * What the Notify and NotifyFailure states pass: a written item, or the
 * error a Catch caught (`{ Error, Cause }`, as Step Functions shapes it).
 */
export const publishNotificationInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('recorded'),
    object: objectEventSchema,
    item: itemSchema,
    executionArn: z.string().optional(),
  }),
  z.object({
    kind: z.literal('failed'),
    object: objectEventSchema,
    error: z.object({ Error: z.string(), Cause: z.string().optional() }),
    executionArn: z.string().optional(),
  }),
]);
export type PublishNotificationInput = z.output<typeof publishNotificationInputSchema>;

export interface PublishNotificationDeps {
  sns: SNSClient;
  topicArn: string;
}

export interface PublishNotificationResult {
  messageId: string;
  /** The notification's stable id (see core/notification.ts). */
  notificationId: string;
  type: string;
}

/**
 * Lambda errors reach a Catch with a JSON Cause (`errorMessage`, `errorType`,
 * `trace`); people want the message, not the stack trace.
 */
export function readableCause(cause: string | undefined): string {
  if (cause === undefined || cause === '') return '(no cause given)';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // Not JSON: the cause is already text.
  }
  return cause;
}

/**
 * Publishes one notification: a new or deleted object, or a failure.
 * @throws ThrottledError, TransientError, PermanentError from SNS.
 */
export async function publishNotification(
  input: PublishNotificationInput,
  { sns, topicArn }: PublishNotificationDeps,
): Promise<PublishNotificationResult> {
  const notification = buildNotification(
    input.kind === 'recorded'
      ? {
          kind: 'recorded',
          object: input.object,
          item: input.item as MetadataItem,
          executionArn: input.executionArn,
        }
      : {
          kind: 'failed',
          object: input.object,
          error: input.error.Error,
          cause: readableCause(input.error.Cause),
          executionArn: input.executionArn,
        },
  );
  const response = await sns
    .send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: notification.subject,
        Message: notification.message,
        MessageStructure: notification.messageStructure,
        MessageAttributes: notification.attributes,
      }),
    )
    .catch((error: unknown) => {
      throw classifyAwsError(error, `Publish to ${topicArn}`);
    });
  return {
    messageId: response.MessageId ?? '',
    notificationId: notification.document.id,
    type: notification.document.type,
  };
}
