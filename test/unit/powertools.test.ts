import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../../functions/powertools';

describe('traced', () => {
  afterEach(() => {
    delete process.env.TRACE_SDK_CALLS;
  });

  it('returns the client untouched, without loading the X-Ray SDK, unless SDK call tracing is on', () => {
    const client = new S3Client({});
    const before = Object.keys(require.cache).some((path) => path.includes('aws-xray-sdk-core'));
    expect(traced(client)).toBe(client);
    expect(
      client.middlewareStack.identify().some((name) => name.includes('xray') || name.includes('Tracer')),
    ).toBe(false);
    expect(Object.keys(require.cache).some((path) => path.includes('aws-xray-sdk-core'))).toBe(before);
  });

  it('hands the client to the Powertools Tracer (captureAWSv3Client) when TRACE_SDK_CALLS is "true"', () => {
    process.env.TRACE_SDK_CALLS = 'true';
    const { Tracer } =
      require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
    const capture = jest.spyOn(Tracer.prototype, 'captureAWSv3Client');
    const client = new S3Client({});
    // Outside Lambda the Tracer is disabled and returns the client as it is: what matters is that it was asked.
    traced(client);
    expect(capture).toHaveBeenCalledWith(client);
    capture.mockRestore();
  });
});
