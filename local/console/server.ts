import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ConsoleApi, type ConsoleSources } from './api';
import { bundlePage } from './bundle';

/**
 * The local console: a page at `/_console/` on the runtime's endpoint (which
 * listens on 127.0.0.1 only), its JSON API under `/_console/api/`, and a
 * server-sent event stream of execution changes. The underscore keeps the
 * path clear of bucket names, which cannot start with one.
 */

export const CONSOLE_PATH = '/_console';

const WEB = join(__dirname, 'web');
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const PAGE_SIZES = [25, 50, 100, 200];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `The file is larger than ${limit / 1024 / 1024} MB`));
        incoming.destroy();
      } else chunks.push(chunk);
    });
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

function send(outgoing: ServerResponse, status: number, body: string | Buffer, type: string): void {
  outgoing.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Everything the page loads comes from here: no CDN, no inline script.
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  });
  outgoing.end(body);
}

const json = (outgoing: ServerResponse, status: number, value: unknown) =>
  send(outgoing, status, JSON.stringify(value), 'application/json; charset=utf-8');

export interface ConsoleServerOptions extends ConsoleSources {
  /** The SNS subscribers' trace (delivery attempts), kept with each notification. */
  snsTrace?: (listener: (line: string) => void) => () => void;
  /** Changes are pushed to open pages at most this often. @default 250 ms */
  pushIntervalMs?: number;
}

export class ConsoleServer {
  readonly api: ConsoleApi;
  private readonly clients = new Set<ServerResponse>();
  private readonly changed = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSns: () => void;
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(options: ConsoleServerOptions) {
    this.api = new ConsoleApi(options);
    // Only what changed is noted on each event; the page hears about it in batches.
    this.unsubscribe = options.stepFunctions.onExecutionEvent((execution) => {
      if (this.clients.size > 0) this.changed.add(execution.arn);
    });
    const notifications = options.notifications;
    this.unsubscribeSns = options.snsTrace?.((line) => notifications.observeTrace(line)) ?? (() => undefined);
    this.timer = setInterval(() => this.push(), options.pushIntervalMs ?? 250).unref();
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, 15_000).unref();
  }

  stop(): void {
    this.unsubscribe();
    this.unsubscribeSns();
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  /** Serves a request whose path starts with /_console; false for any other path. */
  handle(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
    // Every request to the endpoint passes here first: the S3, SQS... ones leave at once.
    if (!incoming.url?.startsWith(CONSOLE_PATH)) return false;
    const url = new URL(incoming.url, 'http://console');
    if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
    this.serve(incoming, outgoing, url).catch((error: unknown) => {
      if (outgoing.headersSent) {
        outgoing.end();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      const code = (error as { code?: string }).code;
      json(outgoing, status, {
        error: error instanceof Error ? error.message : String(error),
        ...(code !== undefined ? { code } : {}),
      });
    });
    return true;
  }

  private async serve(incoming: IncomingMessage, outgoing: ServerResponse, url: URL): Promise<void> {
    checkLocal(incoming);
    const path = url.pathname.slice(CONSOLE_PATH.length);
    const method = incoming.method ?? 'GET';
    if (method === 'POST') checkSameOrigin(incoming);
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const required = (name: string) => {
      const value = param(name);
      if (value === undefined || value === '')
        throw new HttpError(400, `The "${name}" parameter is required`);
      return value;
    };
    switch (`${method} ${path}`) {
      case 'GET ':
        outgoing.writeHead(308, { location: `${CONSOLE_PATH}/` });
        outgoing.end();
        return;
      case 'GET /':
        return send(outgoing, 200, readFileSync(join(WEB, 'index.html')), 'text/html; charset=utf-8');
      case 'GET /console.css':
        return send(outgoing, 200, readFileSync(join(WEB, 'console.css')), 'text/css; charset=utf-8');
      case 'GET /console.js':
        return send(outgoing, 200, await bundlePage(), 'text/javascript; charset=utf-8');
      case 'GET /api/events':
        return this.subscribe(outgoing);
      case 'GET /api/graph':
        return json(outgoing, 200, this.api.graph());
      case 'GET /api/overview':
        return json(outgoing, 200, await this.api.overview());
      case 'GET /api/executions': {
        const pageSize = Number(param('pageSize') ?? 50);
        return json(
          outgoing,
          200,
          this.api.executions({
            ...(param('status') ? { status: param('status') } : {}),
            ...(param('prefix') ? { prefix: param('prefix') } : {}),
            page: Math.max(0, Math.floor(Number(param('page') ?? 0)) || 0),
            pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : 50,
          }),
        );
      }
      case 'GET /api/execution': {
        const detail = await this.api.execution(required('arn'));
        if (detail === undefined) throw new HttpError(404, 'No such execution');
        return json(outgoing, 200, detail);
      }
      case 'GET /api/object':
        return json(outgoing, 200, await this.api.object(required('bucket'), required('key')));
      case 'POST /api/upload': {
        const body = await readBody(incoming, MAX_UPLOAD_BYTES);
        const type = incoming.headers['content-type'];
        return json(outgoing, 200, await this.api.upload(required('bucket'), required('key'), body, type));
      }
      case 'POST /api/redrive': {
        const arn = required('arn');
        const summary = this.api.summary(arn);
        if (summary === undefined) throw new HttpError(404, 'No such execution');
        const result = await this.api.redrive(arn).catch((error: { code?: string; message?: string }) => {
          throw Object.assign(new HttpError(400, error.message ?? 'Redrive refused'), { code: error.code });
        });
        this.changed.add(arn);
        return json(outgoing, 200, result);
      }
      default:
        throw new HttpError(404, `Nothing at ${url.pathname}`);
    }
  }

  /** Server-sent events: `executions` carries the summaries of the executions that changed. */
  private subscribe(outgoing: ServerResponse): void {
    outgoing.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    outgoing.write('retry: 1000\n\n');
    this.clients.add(outgoing);
    outgoing.on('close', () => this.clients.delete(outgoing));
  }

  private push(): void {
    if (this.changed.size === 0 || this.clients.size === 0) {
      this.changed.clear();
      return;
    }
    const arns = [...this.changed];
    this.changed.clear();
    // A burst of thousands is announced as "many changed": the page reloads its current page once.
    const summaries = arns.length > 200 ? [] : arns.flatMap((arn) => this.api.summary(arn) ?? []);
    const data = JSON.stringify({ executions: summaries, more: arns.length > 200 });
    for (const client of this.clients) client.write(`event: executions\ndata: ${data}\n\n`);
  }
}

/** Only pages served from this runtime's loopback address (not a DNS name rebound to 127.0.0.1). */
function checkLocal(incoming: IncomingMessage): void {
  const host = (incoming.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new HttpError(403, `The console answers on 127.0.0.1 only (Host: ${incoming.headers.host ?? ''})`);
  }
}

/** Actions (upload, redrive) only from the console's own page: another site's form cannot send this header. */
function checkSameOrigin(incoming: IncomingMessage): void {
  const origin = incoming.headers.origin;
  if (
    incoming.headers['x-console'] !== '1' ||
    (origin !== undefined && new URL(origin).host !== incoming.headers.host)
  ) {
    throw new HttpError(403, 'Actions are accepted from the console page only');
  }
}
