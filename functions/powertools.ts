import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools for AWS Lambda, built once per function. Levels, namespace and
 * switches come from the environment CDK sets (POWERTOOLS_LOG_LEVEL,
 * POWERTOOLS_METRICS_NAMESPACE...); the local runtime disables metrics and
 * tracing the same way. Tracing is also off anywhere but in Lambda.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 's3-metadata-pipeline';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'S3MetadataPipeline',
});
export const tracer = new Tracer({ serviceName });
