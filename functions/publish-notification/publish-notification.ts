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

const failedSchema = z.object({
  kind: z.literal('failed'),
  object: objectEventSchema,
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
  executionArn: z.string().optional(),
});

/** What Step Functions names an execution's end when its status change event carries no error. */
const ERROR_OF_STATUS = { FAILED: 'States.Runtime', TIMED_OUT: 'States.Timeout', ABORTED: 'States.Aborted' };

/**
 * The EventBridge event Step Functions sends when an execution of a STANDARD
 * workflow ends FAILED, TIMED_OUT or ABORTED: the input of the failure
 * notification. `detail.input` is the execution's input as text, `error` and
 * `cause` are those of the execution (null for a timeout or an abort)
 * (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html).
 */
export const executionStatusChangeSchema = z
  .object({
    source: z.literal('aws.states'),
    'detail-type': z.literal('Step Functions Execution Status Change'),
    detail: z.object({
      executionArn: z.string(),
      status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
      input: z.string(),
      error: z.string().nullish(),
      cause: z.string().nullish(),
    }),
  })
  .transform(({ detail }, context): z.input<typeof failedSchema> => {
    let input: unknown;
    try {
      input = JSON.parse(detail.input);
    } catch {
      context.addIssue({ code: 'custom', message: 'detail.input is not JSON', input: detail.input });
      return z.NEVER;
    }
    return {
      kind: 'failed',
      object: (input as { object: z.input<typeof objectEventSchema> }).object,
      error: {
        Error: detail.error ?? ERROR_OF_STATUS[detail.status],
        Cause: detail.cause ?? `The execution ended ${detail.status}`,
      },
      executionArn: detail.executionArn,
    };
  })
  .pipe(failedSchema);

/**
 * What the Notify state passes (a written item), or a failure: the
 * execution's status change event (see {@link executionStatusChangeSchema}),
 * or its error directly (`{ Error, Cause }`, as Step Functions shapes it).
 */
export const publishNotificationInputSchema = z.union([
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('recorded'),
      object: objectEventSchema,
      item: itemSchema,
      executionArn: z.string().optional(),
    }),
    failedSchema,
  ]),
  executionStatusChangeSchema,
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
