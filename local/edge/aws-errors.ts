import { type EdgeResponse, reply, requestId, xmlEscape } from './http';

/**
 * AWS error responses, in each protocol's documented shape, for the edge and
 * for fault injection. Each response carries one request id, in its body and
 * in the header the protocol uses, as AWS does (the SDKs read it from either).
 *
 * - S3 (REST-XML): `<Error><Code/><Message/>...<RequestId/><HostId/></Error>`,
 *   `application/xml`, `x-amz-request-id` and `x-amz-id-2`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 * - SQS and SNS (query protocol): `<ErrorResponse><Error><Type>Sender|Receiver</Type>
 *   <Code/><Message/></Error><RequestId/></ErrorResponse>`
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html).
 * - JSON protocol (DynamoDB, Step Functions, SQS JSON): `{"__type", "message"}`,
 *   `x-amzn-RequestId`, and for SQS `x-amzn-query-error: Code;Sender`
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html).
 */

/** Who is at fault, as the query protocol says it: the caller (4xx) or the service (5xx). */
export type Fault = 'Sender' | 'Receiver';

/** The fault of an HTTP status. */
export function faultOf(status: number): Fault {
  return status >= 500 ? 'Receiver' : 'Sender';
}

/**
 * An S3 error. `fields` are the error's extra elements, in order, after the
 * message (`Key`, `BucketName`, `Resource`, `ArgumentName`, ...).
 */
export function s3Error(
  status: number,
  code: string,
  message: string,
  fields: Record<string, string> = {},
): EdgeResponse {
  const id = requestId();
  const hostId = `local/${id}`;
  const extra = Object.entries(fields)
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  return reply(
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${id}</RequestId><HostId>${hostId}</HostId></Error>`,
    'application/xml',
    { 'x-amz-request-id': id, 'x-amz-id-2': hostId },
  );
}

/** The services that answer in the query protocol here. */
export type QueryService = 'sqs' | 'sns';

const QUERY_PROTOCOL: Record<QueryService, { namespace: string; detail: string }> = {
  // SQS adds an empty Detail element to its errors.
  sqs: { namespace: 'http://queue.amazonaws.com/doc/2012-11-05/', detail: '<Detail/>' },
  sns: { namespace: 'http://sns.amazonaws.com/doc/2010-03-31/', detail: '' },
};

/** A query-protocol error of SQS or SNS; the fault follows the status unless given. */
export function queryError(
  service: QueryService,
  status: number,
  code: string,
  message: string,
  fault: Fault = faultOf(status),
): EdgeResponse {
  const id = requestId();
  const { namespace, detail } = QUERY_PROTOCOL[service];
  return reply(
    status,
    `<?xml version="1.0"?><ErrorResponse xmlns="${namespace}"><Error><Type>${fault}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>${detail}</Error><RequestId>${id}</RequestId></ErrorResponse>`,
    'text/xml',
    { 'x-amzn-requestid': id },
  );
}

export interface JsonErrorOptions {
  /**
   * For services that also speak the query protocol (SQS): the error's query
   * code, sent as `x-amzn-query-error: Code;Fault` so that clients of either
   * protocol see the same code.
   */
  queryCode?: string;
}

/** A JSON-protocol error: `__type` names the error (with or without its `namespace#`). */
export function jsonError(
  status: number,
  type: string,
  message: string,
  options: JsonErrorOptions = {},
): EdgeResponse {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId() };
  if (options.queryCode !== undefined)
    headers['x-amzn-query-error'] = `${options.queryCode};${faultOf(status)}`;
  return reply(status, JSON.stringify({ __type: type, message }), 'application/x-amz-json-1.0', headers);
}
