import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createServer as createHttpsServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** One POST an endpoint received, and when. */
export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the endpoint answered. */
  status: number;
}

export interface EndpointBehaviour {
  /** Answer this status to the first `times` notifications (SubscriptionConfirmations are always 200). */
  fail?: { status: number; times: number };
  /** Never answer the first `hang` notifications (the connection stays open until close()). */
  hang?: number;
  /** Serve HTTPS with this key and certificate instead of HTTP. */
  tls?: { key: string; cert: string };
}

/**
 * An HTTP endpoint on 127.0.0.1 that records every POST, for checking what
 * SNS sends byte for byte; it can fail notifications on demand.
 */
export async function startEndpoint(behaviour: EndpointBehaviour = {}) {
  const received: Received[] = [];
  let failures = 0;
  let hung = 0;
  const handler: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const notification = request.headers['x-amz-sns-message-type'] === 'Notification';
      if (notification && hung < (behaviour.hang ?? 0)) {
        hung += 1;
        received.push({ at: performance.now(), headers: request.headers, body: '', status: 0 });
        return;
      }
      const fail = behaviour.fail !== undefined && notification && failures < behaviour.fail.times;
      if (fail) failures += 1;
      const status = fail ? (behaviour.fail?.status ?? 500) : 200;
      received.push({
        at: performance.now(),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      response.writeHead(status).end();
    });
  };
  const server = behaviour.tls ? createHttpsServer(behaviour.tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `${behaviour.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    /** What arrived with a given x-amz-sns-message-type. */
    ofType: (type: string) => received.filter((entry) => entry.headers['x-amz-sns-message-type'] === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET over HTTPS trusting `ca` (the runtime's own CA): SubscribeURL, UnsubscribeURL. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/**
 * examples/webhook-receiver run as a person runs it (`node --import tsx`),
 * with the environment its README documents; resolves once it listens.
 */
export function startReceiverProcess(env: Record<string, string>, timeoutMs = 20_000) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'examples/webhook-receiver/receiver.ts'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', PORT: '0', ...env },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<{ url: string; output: () => string; stop: () => Promise<void> }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The receiver did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The receiver exited before it listened:\n${output}`));
    });
  });
}
