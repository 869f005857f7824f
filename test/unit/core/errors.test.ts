import {
  classifyAwsError,
  InvalidInputError,
  ObjectNotFoundError,
  PermanentError,
  SupersededError,
  ThrottledError,
  TransientError,
} from '../../../functions/core/errors';

/** An error shaped as AWS SDK v3 throws them. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: status === undefined ? {} : { httpStatusCode: status },
    ...extra,
  });
}

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['ProvisionedThroughputExceededException', 400],
    ['SlowDown', 503],
    ['TooManyRequestsException', 429],
    ['RequestLimitExceeded', 400],
  ])('classifies %s as throttled', (name, status) => {
    expect(classifyAwsError(sdkError(name, status), 'op')).toBeInstanceOf(ThrottledError);
  });

  it('classifies an error the SDK marks as throttling', () => {
    expect(
      classifyAwsError(sdkError('Weird', 400, { $retryable: { throttling: true } }), 'op'),
    ).toBeInstanceOf(ThrottledError);
  });

  it.each([
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['InternalServerError', 500],
    ['SomethingNew', 502],
  ])('classifies %s (HTTP %i) as transient', (name, status) => {
    expect(classifyAwsError(sdkError(name, status), 'op')).toBeInstanceOf(TransientError);
  });

  // https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/handling-exceptions.html ($retryable, $metadata)
  it('decides from the status before the name: an unknown name answered 429 is throttling, 404 on an object gone', () => {
    expect(classifyAwsError(sdkError('BrandNewName', 429), 'op')).toBeInstanceOf(ThrottledError);
    expect(
      classifyAwsError(sdkError('BrandNewName', 404), 'GetObject', { objectRequest: true }),
    ).toBeInstanceOf(ObjectNotFoundError);
    expect(
      classifyAwsError(sdkError('BrandNewName', 412), 'GetObject', { objectRequest: true }),
    ).toBeInstanceOf(SupersededError);
  });

  it('retries a client error (4xx) the SDK marks retryable, whatever its name', () => {
    expect(classifyAwsError(sdkError('BrandNewName', 400, { $retryable: {} }), 'op')).toBeInstanceOf(
      TransientError,
    );
  });

  it('classifies a dropped connection as transient', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyAwsError(error, 'op')).toBeInstanceOf(TransientError);
  });

  it('classifies a timeout as transient', () => {
    expect(classifyAwsError(sdkError('TimeoutError'), 'op')).toBeInstanceOf(TransientError);
  });

  it('classifies a 404 on an object request as object not found', () => {
    expect(classifyAwsError(sdkError('NotFound', 404), 'HeadObject', { objectRequest: true })).toBeInstanceOf(
      ObjectNotFoundError,
    );
  });

  it('classifies a 412 on an object request as superseded', () => {
    expect(
      classifyAwsError(sdkError('PreconditionFailed', 412), 'GetObject', { objectRequest: true }),
    ).toBeInstanceOf(SupersededError);
  });

  it('reads a bodiless 503 on an object request (HEAD) as S3 asking to slow down', () => {
    const classified = classifyAwsError(sdkError('Unknown', 503), 'HeadObject s3://b/k', {
      objectRequest: true,
    });
    expect(classified).toBeInstanceOf(ThrottledError);
    expect(classified.message).toBe(
      'HeadObject s3://b/k failed: SlowDown (HTTP 503): the response had no error body (a HEAD request)',
    );
  });

  it('names a bodiless 403 AccessDenied, a permanent failure', () => {
    const classified = classifyAwsError(sdkError('Unknown', 403), 'HeadObject s3://b/k', {
      objectRequest: true,
    });
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.message).toContain('AccessDenied (HTTP 403)');
  });

  it('classifies a 404 elsewhere (a missing topic, a missing table) as permanent', () => {
    expect(classifyAwsError(sdkError('NotFoundException', 404), 'Publish')).toBeInstanceOf(PermanentError);
    expect(classifyAwsError(sdkError('ResourceNotFoundException', 400), 'PutItem')).toBeInstanceOf(
      PermanentError,
    );
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html: kms:Decrypt is needed for an
  // SSE-KMS object (checksum mode on a HEAD; every GET), and S3 answers a missing grant with 403.
  it('names the missing grants when S3 refuses to read an object (s3:GetObject, kms:Decrypt and the kmsKeyArns setting)', () => {
    for (const error of [sdkError('Unknown', 403), sdkError('AccessDenied', 403)]) {
      const classified = classifyAwsError(error, 'GetObject s3://b/k', { objectRequest: true });
      expect(classified).toBeInstanceOf(PermanentError);
      expect(classified.message).toContain('kms:Decrypt');
      expect(classified.message).toContain('s3:GetObject');
      expect(classified.message).toContain('kmsKeyArns');
    }
  });

  it('classifies access denied as permanent', () => {
    expect(
      classifyAwsError(sdkError('AccessDenied', 403), 'HeadObject', { objectRequest: true }),
    ).toBeInstanceOf(PermanentError);
  });

  it('says which operation failed, with the error name, status and message, and keeps the cause', () => {
    const original = sdkError('ThrottlingException', 400);
    const classified = classifyAwsError(original, 'PutItem s3://b/k');
    expect(classified.message).toBe(
      'PutItem s3://b/k failed: ThrottlingException (HTTP 400): ThrottlingException happened',
    );
    expect(classified.cause).toBe(original);
  });

  it('returns pipeline errors unchanged', () => {
    const error = new InvalidInputError('bad');
    expect(classifyAwsError(error, 'op')).toBe(error);
  });

  it('handles values that are not errors', () => {
    expect(classifyAwsError('boom', 'op')).toBeInstanceOf(PermanentError);
  });
});

describe('error names', () => {
  it.each([
    [new ThrottledError('x'), 'ThrottledError', true],
    [new TransientError('x'), 'TransientError', true],
    [new ObjectNotFoundError('x'), 'ObjectNotFoundError', false],
    [new SupersededError('x'), 'SupersededError', false],
    [new PermanentError('x'), 'PermanentError', false],
    [new InvalidInputError('x'), 'InvalidInputError', false],
  ])('%s is named %s (retryable: %s)', (error, name, retryable) => {
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(retryable);
    expect(error).toBeInstanceOf(Error);
  });
});
