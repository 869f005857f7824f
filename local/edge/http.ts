import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/** A request as the edge sees it: fully read (bodies are at most a few parts of a multipart upload). */
export interface EdgeRequest {
  method: string;
  /** Path and query, parsed (dot segments resolved, as WHATWG URLs do). */
  url: URL;
  /**
   * The request target's path exactly as received, still percent-encoded and
   * with any `.`/`..` segments: S3 keys are taken from it verbatim.
   */
  rawPath?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Headers that belong to one hop, not to the request. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

/**
 * Forwards a request to a backend emulator and reads its whole answer.
 * The body is sent as received (bytes, encoding and signature untouched);
 * only the Host header names the backend.
 */
export function forward(
  target: string,
  edgeRequest: EdgeRequest,
  body: Buffer = edgeRequest.body,
): Promise<EdgeResponse> {
  const backend = new URL(target);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(edgeRequest.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers.host = backend.host;
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: backend.hostname,
        port: backend.port,
        method: edgeRequest.method,
        path: `${edgeRequest.url.pathname}${edgeRequest.url.search}`,
        headers,
        agent,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const responseHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
          }
          resolve({
            status: incoming.statusCode ?? 502,
            headers: responseHeaders,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A response with a body and content type. */
export function reply(
  status: number,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): EdgeResponse {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { status, headers: { 'content-type': contentType, ...headers }, body: buffer };
}

/** The first value of a request header (Node lowercases the names). */
export function headerValue(request: EdgeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Escapes text for an XML element. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

let counter = 0;
/** A request id in the style AWS services use. */
export function requestId(): string {
  counter = (counter + 1) % 0xffff;
  return `${Date.now().toString(16).toUpperCase()}${counter.toString(16).toUpperCase().padStart(4, '0')}`;
}
