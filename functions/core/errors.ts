/**
 * Typed errors. Their `name`s are a contract with the workflow definition
 * (`statemachine/metadata-pipeline.asl.json`): the Lambda runtime reports
 * `error.name` as the error type, and the Retry/Catch blocks match on it.
 * Renaming a class here means editing the ASL file too; a test checks both.
 */

/** Base class: every error this pipeline throws on purpose. */
export abstract class PipelineError extends Error {
  /** Whether retrying the same call later can succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The service asked us to slow down (throttling, request limits). Retried with backoff. */
export class ThrottledError extends PipelineError {
  override readonly name = 'ThrottledError';
  readonly retryable = true;
}

/** A fault that may not happen again: 5xx, timeouts, dropped connections. Retried with backoff. */
export class TransientError extends PipelineError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}

/**
 * The object no longer exists (HeadObject 404). Not a failure: the object was
 * deleted before it could be described, and its delete event will record that.
 */
export class ObjectNotFoundError extends PipelineError {
  override readonly name = 'ObjectNotFoundError';
  readonly retryable = false;
}

/**
 * The object changed since the event was emitted (its ETag no longer matches).
 * Not a failure: the newer write has its own event, which will be recorded.
 */
export class SupersededError extends PipelineError {
  override readonly name = 'SupersededError';
  readonly retryable = false;
}

/** A failure that retrying cannot fix: access denied, a missing table, a bug. */
export class PermanentError extends PipelineError {
  override readonly name = 'PermanentError';
  readonly retryable = false;
}

/** The input does not have the shape this step accepts. Never retried. */
export class InvalidInputError extends PipelineError {
  override readonly name = 'InvalidInputError';
  readonly retryable = false;
}

/** Every error name the workflow can see from our steps. */
export const PIPELINE_ERROR_NAMES = [
  'ThrottledError',
  'TransientError',
  'ObjectNotFoundError',
  'SupersededError',
  'PermanentError',
  'InvalidInputError',
] as const;

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'TransactionInProgressException',
  'KMSThrottlingException',
]);

const TRANSIENT_NAMES = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RequestAbortedError',
  'PriorRequestNotComplete',
  'KMSInternalException',
  'EC2ThrottledException',
]);

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

const NOT_FOUND_NAMES = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion']);

/** What S3 means by a status when a HEAD answer carries no error document. */
const BODILESS_NAMES: Record<number, string> = {
  403: 'AccessDenied',
  404: 'NotFound',
  412: 'PreconditionFailed',
  500: 'InternalError',
  503: 'SlowDown',
};
const PRECONDITION_NAMES = new Set(['PreconditionFailed']);

/**
 * What an operator needs when S3 refuses to read an object: the grants that
 * are missing. S3 answers 403 both for a missing s3:GetObject and for a
 * missing kms:Decrypt on the key of an SSE-KMS object (for a GET, and for a
 * HEAD with checksum mode); a HEAD's 403 has no body to say which
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 */
export const OBJECT_ACCESS_DENIED_HINT =
  "missing grant: the function's role needs s3:GetObject on the object and, when the object is encrypted with a customer managed KMS key, kms:Decrypt on that key (add the key's ARN to the kmsKeyArns setting; see docs/operations.md)";

/** The fields of an AWS SDK v3 error we classify on (duck-typed: this module imports nothing AWS). */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

/** Options of {@link classifyAwsError}. */
export interface ClassifyOptions {
  /**
   * The request addressed one S3 object (HeadObject, GetObject with If-Match):
   * a 404 means the object is gone ({@link ObjectNotFoundError}) and a 412 that
   * it changed ({@link SupersededError}).
   * @default false: 404 and 412 are permanent failures (a missing topic or table is a deployment problem)
   */
  readonly objectRequest?: boolean;
}

/**
 * Maps any error thrown by an AWS SDK v3 call to one of the pipeline's typed
 * errors. This is the one place that decides what is retried: the workflow's
 * Retry blocks act on the resulting names.
 */
export function classifyAwsError(
  error: unknown,
  operation: string,
  options: ClassifyOptions = {},
): PipelineError {
  if (error instanceof PipelineError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  // A HEAD answer has no body to name the error: the SDK calls it Unknown, the status says more.
  const rawName = typeof shape.name === 'string' ? shape.name : 'Error';
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const bodiless = rawName === 'Unknown' || rawName === 'UnknownError';
  const name = (bodiless && status !== undefined && BODILESS_NAMES[status]) || rawName;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const detail =
    bodiless && status !== undefined
      ? 'the response had no error body (a HEAD request)'
      : typeof shape.message === 'string' && shape.message !== ''
        ? shape.message
        : String(error);
  const message = `${operation} failed: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${detail}`;
  const withCause = { cause: error };

  // What the SDK and the HTTP status say decides first ($retryable comes from the service
  // model's retryable trait); names are the fallback for errors neither marks, such as S3's
  // SlowDown (a 503 that means throttling) or a network failure before any response.
  if (shape.$retryable?.throttling === true || status === 429 || THROTTLING_NAMES.has(name)) {
    return new ThrottledError(message, withCause);
  }
  if (options.objectRequest === true) {
    if (status === 404 || NOT_FOUND_NAMES.has(name)) return new ObjectNotFoundError(message, withCause);
    if (status === 412 || PRECONDITION_NAMES.has(name)) return new SupersededError(message, withCause);
    if (status === 403 || name === 'AccessDenied' || name === 'KMS.AccessDeniedException') {
      return new PermanentError(`${message}; ${OBJECT_ACCESS_DENIED_HINT}`, withCause);
    }
  }
  if (
    shape.$retryable !== undefined ||
    (status !== undefined && status >= 500) ||
    TRANSIENT_NAMES.has(name) ||
    (code !== undefined && TRANSIENT_NETWORK_CODES.has(code))
  ) {
    return new TransientError(message, withCause);
  }
  return new PermanentError(message, withCause);
}
