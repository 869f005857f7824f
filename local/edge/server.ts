import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonError, queryError } from './aws-errors';
import { type EdgeRequest, type EdgeResponse, forward, reply, requestId } from './http';
import type { S3Edge } from './s3';
import { rewriteStructuredPublish } from './sns';
import { isQueryRequest, jsonToQueryResponse, queryToJson } from './sqs-query';

/**
 * One endpoint for every service, as `--endpoint-url` or AWS_ENDPOINT_URL
 * expects: each request goes to the service its SigV4 credential scope names
 * (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`, in the Authorization
 * header or a presigned URL). Unsigned requests are recognised by their shape.
 */

export type ServiceName = 's3' | 'sqs' | 'sns' | 'dynamodb' | 'states' | 'sts';

/** A chance to answer instead of the service (fault injection); undefined lets the request through. */
export type Interceptor = (
  service: ServiceName,
  action: string,
  request: EdgeRequest,
) => EdgeResponse | undefined;

export interface EdgeOptions {
  port: number;
  fauxqsEndpoint: string;
  dynamoDbEndpoint: string;
  s3: S3Edge;
  /** The Step Functions API: action and JSON body in, JSON out (or a thrown StatesApiError-like error). */
  states: (action: string, body: Record<string, unknown>) => Promise<unknown>;
  interceptor?: Interceptor;
  /**
   * SNS subscribers of the runtime's own (HTTP, HTTPS, email): sees each SNS
   * request first and passes what it does not answer on through `next`.
   */
  sns?: (
    request: EdgeRequest,
    next: (request: EdgeRequest) => Promise<EdgeResponse>,
  ) => Promise<EdgeResponse>;
  /** Answers GET /_runtime/stats (counters for the benchmark and for the curious). */
  stats?: () => unknown;
  /** Sees each request first and answers those it takes (the console's `/_console/` paths, streamed). */
  console?: (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/;
const SQS_ACTIONS =
  /^(CreateQueue|DeleteQueue|GetQueueUrl|ListQueues|GetQueueAttributes|SetQueueAttributes|PurgeQueue|SendMessage|SendMessageBatch|ReceiveMessage|DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility|ChangeMessageVisibilityBatch|TagQueue|UntagQueue|ListQueueTags|ListDeadLetterSourceQueues)$/;

/** Which service a request is for. */
export function serviceOf(request: EdgeRequest): ServiceName | undefined {
  // KEY/DATE/REGION/SERVICE/aws4_request: in the Authorization header, or a presigned URL's X-Amz-Credential.
  const presigned = request.url.searchParams.get('X-Amz-Credential');
  const scoped = SCOPE.exec(String(request.headers.authorization ?? ''))?.[1] ?? presigned?.split('/')[3];
  const known: Record<string, ServiceName> = {
    s3: 's3',
    sqs: 'sqs',
    sns: 'sns',
    dynamodb: 'dynamodb',
    states: 'states',
    sts: 'sts',
  };
  if (scoped !== undefined) return known[scoped];
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AWSStepFunctions.')) return 'states';
  if (target.startsWith('AmazonSQS.')) return 'sqs';
  if (isQueryRequest(request)) {
    const action =
      new URLSearchParams(`${request.url.search.slice(1)}&${request.body.toString('utf8')}`).get('Action') ??
      '';
    if (SQS_ACTIONS.test(action)) return 'sqs';
    if (action === 'GetCallerIdentity') return 'sts';
    if (action !== '') return 'sns';
  }
  return 's3';
}

/** The operation a request performs, for fault injection and messages. */
function actionOf(service: ServiceName, request: EdgeRequest): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.includes('.')) return target.split('.').pop() ?? '';
  if (service === 's3') return request.method;
  return (
    new URLSearchParams(`${request.url.search.slice(1)}&${request.body.toString('utf8')}`).get('Action') ?? ''
  );
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

export class Edge {
  private server: Server | undefined;
  endpoint = '';
  /** Requests served, by "service action" (S3 by HTTP method). */
  readonly requests = new Map<string, number>();

  constructor(private readonly options: EdgeOptions) {}

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      if (this.options.console?.(incoming, outgoing)) return;
      this.serve(incoming, outgoing).catch((error: unknown) => {
        if (!outgoing.headersSent) {
          outgoing.writeHead(500, { 'content-type': 'text/plain' });
          outgoing.end(`Local runtime edge error: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    });
    // An Expect header other than 100-continue (an empty one, sent by some clients) is served
    // like any request instead of Node's automatic 417.
    this.server.on('checkExpectation', (incoming, outgoing) =>
      this.server?.emit('request', incoming, outgoing),
    );
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `Port ${this.options.port} is already in use (is another runtime running?). Choose one with --port N, or --port 0 for any free port.`,
              )
            : error,
        ),
      );
      this.server?.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const request: EdgeRequest = {
      method: incoming.method ?? 'GET',
      url: new URL(incoming.url ?? '/', 'http://edge'),
      rawPath: (incoming.url ?? '/').split('?')[0],
      headers: incoming.headers,
      body: await readBody(incoming),
      remoteAddress: incoming.socket.remoteAddress ?? '127.0.0.1',
    };
    const response = await this.route(request);
    // A HEAD answer has no body but keeps the backend's Content-Length (the object's size).
    const length = request.method === 'HEAD' ? {} : { 'content-length': String(response.body.length) };
    outgoing.writeHead(response.status, { ...response.headers, ...length });
    outgoing.end(request.method === 'HEAD' ? undefined : response.body);
  }

  async route(request: EdgeRequest): Promise<EdgeResponse> {
    if (request.url.pathname === '/_runtime/health') return reply(200, '{"status":"ok"}', 'application/json');
    if (request.url.pathname === '/_runtime/stats' && this.options.stats) {
      return reply(200, JSON.stringify(this.options.stats()), 'application/json');
    }
    const service = serviceOf(request);
    if (service === undefined) {
      const scope = SCOPE.exec(String(request.headers.authorization ?? ''))?.[1] ?? 'unknown';
      return reply(
        400,
        `The local runtime has no "${scope}" service (it has s3, sqs, sns, dynamodb, states, sts)`,
        'text/plain',
      );
    }
    const action = actionOf(service, request);
    const counted = `${service} ${action}`;
    this.requests.set(counted, (this.requests.get(counted) ?? 0) + 1);
    const injected = this.options.interceptor?.(service, action, request);
    if (injected !== undefined) return injected;
    switch (service) {
      case 's3':
        return this.options.s3.handle(request);
      case 'dynamodb':
        return forward(this.options.dynamoDbEndpoint, request);
      case 'states':
        return this.states(request);
      case 'sns': {
        const toFauxqs = async (snsRequest: EdgeRequest) => {
          const rewritten = rewriteStructuredPublish(snsRequest);
          return 'status' in rewritten ? rewritten : forward(this.options.fauxqsEndpoint, rewritten);
        };
        return this.options.sns ? this.options.sns(request, toFauxqs) : toFauxqs(request);
      }
      case 'sqs':
        return this.sqs(request);
      case 'sts':
        return forward(this.options.fauxqsEndpoint, request);
    }
  }

  /** SQS: JSON passes through; the query protocol is translated both ways. Queue URLs name the edge. */
  private async sqs(request: EdgeRequest): Promise<EdgeResponse> {
    const internal = new RegExp(
      `https?://sqs\\.[a-z0-9-]+\\.localhost:${new URL(this.options.fauxqsEndpoint).port}`,
      'g',
    );
    const external = (response: EdgeResponse): EdgeResponse => ({
      ...response,
      body: Buffer.from(response.body.toString('utf8').replace(internal, this.endpoint), 'utf8'),
    });
    if (!isQueryRequest(request)) return external(await forward(this.options.fauxqsEndpoint, request));
    const { action, body } = queryToJson(request);
    if (action === '') return queryError('sqs', 400, 'MissingAction', 'The request has no Action parameter');
    const json: EdgeRequest = {
      ...request,
      url: new URL('/', 'http://edge'),
      headers: {
        ...request.headers,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
      },
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    };
    return jsonToQueryResponse(action, external(await forward(this.options.fauxqsEndpoint, json)));
  }

  private async states(request: EdgeRequest): Promise<EdgeResponse> {
    const action = String(request.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    let body: Record<string, unknown>;
    try {
      body =
        request.body.length === 0
          ? {}
          : (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>);
    } catch {
      return jsonError(400, 'SerializationException', 'The request body is not JSON');
    }
    try {
      const result = await this.options.states(action, body);
      return reply(200, JSON.stringify(result), 'application/x-amz-json-1.0', {
        'x-amzn-requestid': requestId(),
      });
    } catch (error) {
      const api = error as { code?: string; status?: number; message?: string };
      if (api.code !== undefined) return jsonError(api.status ?? 400, api.code, api.message ?? api.code);
      throw error;
    }
  }
}
