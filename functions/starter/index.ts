import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { requireEnv } from '../core/env';
import { parseInput } from '../core/validation';
import { type SqsBatchResponse, sqsEventSchema, startExecutions, toBatchResponse } from './start-executions';

const logger = new Logger({ serviceName: 's3-metadata-pipeline' });
const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
// Unlike the workflow steps, the starter keeps the SDK's standard retries: a
// failed message waits out a whole visibility timeout before it is redelivered.
const sfn = new SFNClient({});

/** The ingest queue's consumer: SQS batch of S3 events -> one execution per object event. */
export const handler = async (event: unknown): Promise<SqsBatchResponse> => {
  const batch = parseInput(sqsEventSchema, event, 'SQS event');
  const outcomes = await startExecutions(batch, { sfn, stateMachineArn, log: logger });
  return toBatchResponse(outcomes);
};
