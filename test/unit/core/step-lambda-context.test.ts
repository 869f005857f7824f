import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { stepHandler } from '../../../functions/core/step';
import { objectEvent } from '../../support/fixtures';

/** A Lambda context as the Node.js runtime passes it (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). */
const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 's3-metadata-describe-object',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:s3-metadata-describe-object',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/s3-metadata-describe-object',
    logStreamName: '2026/11/26/[$LATEST]abc',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

const schema = z.object({ object: z.object({ bucket: z.string(), key: z.string(), sequencer: z.string() }) });

/** What the real Powertools Logger and Metrics write to stdout (JSON lines: logs and EMF documents). */
function captureStdout(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spy.mockRestore(),
  };
}

// The real Powertools for AWS Lambda, not a stand-in: its keys are what CloudWatch Logs Insights queries use
// (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#capturing-lambda-context-info).
describe('stepHandler in Lambda, with Powertools', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('puts the request id and cold start on every line, and emits the ColdStart metric once', async () => {
    // Set by Lambda for on-demand environments (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
    // Powertools reports a cold start only then.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.POWERTOOLS_DEV = 'false';
    const stdout = captureStdout();
    try {
      const logger = new Logger({ serviceName: 's3-metadata-pipeline', logLevel: 'INFO' });
      const metrics = new Metrics({ serviceName: 's3-metadata-pipeline', namespace: 'S3MetadataPipeline' });
      const handler = stepHandler({
        name: 'describe-object',
        schema,
        logger,
        metrics,
        run: async (_input, log) => {
          log.info('described');
          return 'ok';
        },
      });
      await handler({ object: objectEvent() }, context('request-1'));
      await handler({ object: objectEvent() }, context('request-2'));
      const lines = stdout.lines();
      const logs = lines.filter((line) => line.message === 'described');
      expect(logs.map((line) => [line.function_request_id, line.cold_start])).toEqual([
        ['request-1', true],
        ['request-2', false],
      ]);
      expect(logs[0]).toMatchObject({ function_name: 's3-metadata-describe-object', key: objectEvent().key });
      const coldStarts = lines.filter((line) => 'ColdStart' in line);
      expect(coldStarts).toHaveLength(1);
      expect(coldStarts[0]).toMatchObject({ ColdStart: 1, function_name: 's3-metadata-describe-object' });
    } finally {
      stdout.restore();
    }
  });
});
