import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { GetObjectTaggingCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { InvalidParameterException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { XMLParser } from 'fast-xml-parser';
import { faultOf, jsonError, queryError, s3Error } from '../../../../local/edge/aws-errors';
import type { EdgeResponse } from '../../../../local/edge/http';

/**
 * The error responses of the local runtime, against the shapes AWS documents
 * for each protocol, and as the AWS SDK for JavaScript v3 reads them (each
 * response is served over HTTP to a real client).
 */

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
const parse = (response: EdgeResponse) => xml.parse(response.body.toString('utf8'));

/** One HTTP server answering each request with the next queued response. */
let server: Server;
let endpoint = '';
const queued: EdgeResponse[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const next = queued.shift() ?? jsonError(500, 'NothingQueued', 'the test queued no response');
      response.writeHead(next.status, { ...next.headers, 'content-length': String(next.body.length) });
      response.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
};

/** What a client throws for a response. */
async function thrownFor(response: EdgeResponse, call: () => Promise<unknown>): Promise<unknown> {
  queued.push(response);
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('s3Error (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)', () => {
  it('is an XML Error document with Code, Message and RequestId, as application/xml with the status', () => {
    const response = s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/xml');
    expect(response.body.toString('utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>/);
    expect(parse(response).Error).toMatchObject({
      Code: 'NoSuchKey',
      Message: 'The specified key does not exist.',
      RequestId: expect.stringMatching(/^[0-9A-F]{8,}$/),
    });
  });

  it('carries the same request id in the body as in x-amz-request-id, and HostId as in x-amz-id-2', () => {
    const response = s3Error(503, 'SlowDown', 'Please reduce your request rate.');
    const { Error: error } = parse(response);
    expect(error.RequestId).toBe(response.headers['x-amz-request-id']);
    expect(error.HostId).toBe(response.headers['x-amz-id-2']);
  });

  it('gives each response its own request id', () => {
    const first = s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    const second = s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    expect(first.headers['x-amz-request-id']).not.toBe(second.headers['x-amz-request-id']);
  });

  it('adds the extra fields of an error (Key, BucketName) after the message, escaped', () => {
    const response = s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: 'a<b>&"c".txt' });
    expect(parse(response).Error.Key).toBe('a<b>&"c".txt');
    expect(response.body.toString('utf8')).toContain(
      '<Message>The specified key does not exist.</Message><Key>a&lt;b&gt;&amp;&quot;c&quot;.txt</Key><RequestId>',
    );
    expect(
      parse(s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: 'b' })).Error,
    ).toMatchObject({ Code: 'NoSuchBucket', BucketName: 'b' });
  });

  it('is read by the S3 client as the modeled exception, with the request id and the status', async () => {
    const s3 = new S3Client({ ...client, endpoint, forcePathStyle: true });
    const response = s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: 'k' });
    const error = await thrownFor(response, () =>
      s3.send(new GetObjectTaggingCommand({ Bucket: 'b', Key: 'k' })),
    );
    expect(error).toBeInstanceOf(NoSuchKey);
    expect(error).toMatchObject({
      message: 'The specified key does not exist.',
      $fault: 'client',
      $metadata: { httpStatusCode: 404, requestId: response.headers['x-amz-request-id'] },
    });
  });

  it('a 5xx is a server fault for the S3 client', async () => {
    const s3 = new S3Client({ ...client, endpoint, forcePathStyle: true });
    const error = await thrownFor(s3Error(503, 'SlowDown', 'Please reduce your request rate.'), () =>
      s3.send(new GetObjectTaggingCommand({ Bucket: 'b', Key: 'k' })),
    );
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
  });
});

describe('queryError (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html)', () => {
  it('is an ErrorResponse with Error (Type, Code, Message) and RequestId', () => {
    const response = queryError(
      'sqs',
      400,
      'InvalidParameterValue',
      'Value (a b) for parameter QueueName is invalid.',
    );
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('text/xml');
    const { ErrorResponse: root } = parse(response);
    expect(root.Error).toMatchObject({
      Type: 'Sender',
      Code: 'InvalidParameterValue',
      Message: 'Value (a b) for parameter QueueName is invalid.',
    });
    expect(root.RequestId).toBe(response.headers['x-amzn-requestid']);
  });

  it('names the caller (Sender) for 4xx and the service (Receiver) for 5xx, unless told', () => {
    expect(parse(queryError('sns', 400, 'Throttling', 'Rate exceeded')).ErrorResponse.Error.Type).toBe(
      'Sender',
    );
    expect(parse(queryError('sns', 500, 'InternalError', 'Internal error')).ErrorResponse.Error.Type).toBe(
      'Receiver',
    );
    expect(parse(queryError('sqs', 400, 'Odd', 'x', 'Receiver')).ErrorResponse.Error.Type).toBe('Receiver');
    expect([faultOf(404), faultOf(503)]).toEqual(['Sender', 'Receiver']);
  });

  it('uses each service namespace; SQS adds its empty Detail element', () => {
    const sqs = parse(queryError('sqs', 400, 'MissingAction', 'no Action')).ErrorResponse;
    const sns = parse(queryError('sns', 400, 'InvalidParameter', 'bad')).ErrorResponse;
    expect(sqs['@_xmlns']).toBe('http://queue.amazonaws.com/doc/2012-11-05/');
    expect(sqs.Error).toHaveProperty('Detail');
    expect(sns['@_xmlns']).toBe('http://sns.amazonaws.com/doc/2010-03-31/');
    expect(sns.Error).not.toHaveProperty('Detail');
  });

  it('escapes the message', () => {
    const response = queryError('sns', 400, 'InvalidParameter', 'Invalid parameter: <Message> & "more"');
    expect(parse(response).ErrorResponse.Error.Message).toBe('Invalid parameter: <Message> & "more"');
  });

  it('is read by the SNS client (query protocol) as the modeled exception, with the request id', async () => {
    const sns = new SNSClient({ ...client, endpoint });
    const response = queryError(
      'sns',
      400,
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    const error = await thrownFor(response, () =>
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: '{}' })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error).toMatchObject({
      message: 'Invalid parameter: Message Structure - No default entry in JSON message body',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: response.headers['x-amzn-requestid'] },
    });
  });
});

describe('jsonError (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html)', () => {
  it('is a JSON body with __type and message, as application/x-amz-json-1.0 with x-amzn-RequestId', () => {
    const response = jsonError(400, 'ThrottlingException', 'Rate exceeded');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9A-F]{8,}$/);
    expect(response.headers).not.toHaveProperty('x-amzn-query-error');
  });

  it('carries the query-protocol code and fault in x-amzn-query-error when given (SQS)', () => {
    const response = jsonError(
      400,
      'com.amazonaws.sqs#QueueDoesNotExist',
      'The specified queue does not exist.',
      {
        queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      },
    );
    expect(response.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
  });

  it('is read by the SQS client (JSON protocol) as the modeled exception, with the request id', async () => {
    const sqs = new SQSClient({ ...client, endpoint });
    const response = jsonError(
      400,
      'com.amazonaws.sqs#QueueDoesNotExist',
      'The specified queue does not exist.',
      {
        queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      },
    );
    const error = await thrownFor(response, () => sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({
      $metadata: { httpStatusCode: 400, requestId: response.headers['x-amzn-requestid'] },
    });
  });

  it('is read by the DynamoDB client as the modeled exception (the __type namespace is dropped)', async () => {
    const dynamodb = new DynamoDBClient({ ...client, endpoint });
    const error = await thrownFor(
      jsonError(
        400,
        'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      ),
      () => dynamodb.send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'v' } } })),
    );
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });
});
