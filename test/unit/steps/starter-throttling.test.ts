import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STARTER_SFN_CLIENT_CONFIG, startExecutions } from '../../../functions/starter/start-executions';
import { fixtureText, sqsEventOf } from '../../support/fixtures';

/**
 * The starter's real SDK client against a Step Functions endpoint that
 * throttles: StartExecution answers ThrottlingException (the token bucket is
 * empty, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-api-action-throttling-general)
 * a number of times before it accepts. The SDK's retries
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html)
 * must absorb a burst of throttling inside one invocation, instead of failing
 * the message into a 180 s visibility timeout and, after 5 receives, the
 * dead-letter queue.
 */
let server: Server;
let endpoint: string;
let throttleNext = 0;
let requests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests += 1;
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      if (throttleNext > 0) {
        throttleNext -= 1;
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      response.end(
        JSON.stringify({
          executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:metadata-pipeline:x',
          startDate: 1_700_000_000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const log = { info: () => undefined, error: () => undefined };

function starterClient() {
  return new SFNClient({
    ...STARTER_SFN_CLIENT_CONFIG,
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

it('starts the execution after four throttled attempts in a row, well within the function timeout', async () => {
  throttleNext = 4;
  requests = 0;
  const started = Date.now();
  const [outcome] = await startExecutions(sqsEventOf(fixtureText('events/object-created-put.json')), {
    sfn: starterClient(),
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:metadata-pipeline',
    log,
  });
  expect(outcome).toMatchObject({ outcome: 'started' });
  expect(requests).toBe(5);
  // The SDK's backoff after throttling: at most 0.5 + 1 + 2 + 4 s.
  expect(Date.now() - started).toBeLessThan(15_000);
}, 40_000);

it('still reports a retryable failure (the message is redelivered) when throttling outlasts every attempt', async () => {
  throttleNext = STARTER_SFN_CLIENT_CONFIG.maxAttempts;
  requests = 0;
  const [outcome] = await startExecutions(sqsEventOf(fixtureText('events/object-created-put.json')), {
    sfn: starterClient(),
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:metadata-pipeline',
    log,
  });
  expect(outcome).toMatchObject({ outcome: 'failed', errorName: 'ThrottledError' });
  expect(requests).toBe(STARTER_SFN_CLIENT_CONFIG.maxAttempts);
}, 40_000);
