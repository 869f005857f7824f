import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools for AWS Lambda, built once per function. Levels, namespace and
 * switches come from the environment CDK sets (POWERTOOLS_LOG_LEVEL,
 * POWERTOOLS_METRICS_NAMESPACE...); the local runtime disables metrics the same way.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 's3-metadata-pipeline';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'S3MetadataPipeline',
});

let tracer: Tracer | undefined;

/**
 * Wraps an AWS SDK client so that each call is an X-Ray subsegment (Powertools
 * Tracer), when TRACE_SDK_CALLS is "true". Otherwise the client is returned as
 * it is and the X-Ray SDK is never loaded: it costs about 50 ms of every cold
 * start (measured by `npm run bench`), and Lambda's active tracing already
 * records each invocation.
 */
export function traced<Client>(client: Client): Client {
  if (process.env.TRACE_SDK_CALLS !== 'true') return client;
  // Required here, not imported above: loading it is the cost being avoided.
  const { Tracer: PowertoolsTracer } =
    require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  tracer ??= new PowertoolsTracer({ serviceName });
  return tracer.captureAWSv3Client(client);
}
