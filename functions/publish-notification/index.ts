import { SNSClient } from '@aws-sdk/client-sns';
import { requireEnv } from '../core/env';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { logger, metrics, traced } from '../powertools';
import { publishNotification, publishNotificationInputSchema } from './publish-notification';

const topicArn = requireEnv('TOPIC_ARN');
const sns = traced(new SNSClient(SINGLE_ATTEMPT));

/** The Notify state, and the failed executions' status change events: one SNS message for email and webhook subscribers. */
export const handler = stepHandler({
  name: 'publish-notification',
  schema: publishNotificationInputSchema,
  logger,
  metrics,
  run: async (input) => {
    const result = await publishNotification(input, { sns, topicArn });
    metrics.addMetric(
      input.kind === 'failed' ? 'FailureNotifications' : 'NotificationsPublished',
      'Count',
      1,
    );
    return result;
  },
});
