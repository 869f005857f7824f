import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import { requireEnv } from '../core/env';
import { SINGLE_ATTEMPT, stepHandler } from '../core/step';
import { publishNotification, publishNotificationInputSchema } from './publish-notification';

const logger = new Logger({ serviceName: 's3-metadata-pipeline' });
const topicArn = requireEnv('TOPIC_ARN');
const sns = new SNSClient(SINGLE_ATTEMPT);

/** The Notify and NotifyFailure states: one SNS message for email and webhook subscribers. */
export const handler = stepHandler({
  name: 'publish-notification',
  schema: publishNotificationInputSchema,
  logger,
  run: (input) => publishNotification(input, { sns, topicArn }),
});
