import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Child processes of the local runtime (DynamoDB Local's JVM, fauxqs). Each
 * is started so that it dies with the runtime, even when the runtime is
 * killed with SIGKILL and gets no chance to clean up: on Linux, `setpriv
 * --pdeathsig KILL` asks the kernel to kill the child when its parent dies.
 * Otherwise a JVM would outlive Node and keep holding its port.
 */

const SETPRIV = '/usr/bin/setpriv';
const children = new Set<ChildProcess>();

/** Kills every child still running (a last resort on exit; `stop()` is the polite way). */
function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.once('exit', killAll);

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Lines the process wrote, most recent last (kept for error messages). */
  readonly output: string[];
  /** Whether `stop()` was called: an exit after it is expected. */
  readonly stopping: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves once the service answers; rejected or timed out means the start failed. */
  ready: (service: ServiceProcess) => Promise<void>;
  /** How long `ready` may take. */
  readyTimeoutMs: number;
}

/** Starts a service process tied to this one, and waits until it is ready. */
export async function startService(options: StartOptions): Promise<ServiceProcess> {
  const tied = process.platform === 'linux' && existsSync(SETPRIV);
  const [command, args] = tied
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, [...options.args]];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => children.delete(child));

  let stopping = false;
  const service: ServiceProcess = {
    name: options.name,
    child,
    output,
    get stopping() {
      return stopping;
    },
    async stop(graceMs = 3000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${options.name} could not start: ${error.message}`)));
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `${options.name} exited during start-up (${signal ?? `code ${code}`}):\n  ${output.slice(-10).join('\n  ')}`,
        ),
      ),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${options.name} was not ready after ${options.readyTimeoutMs} ms`)),
      options.readyTimeoutMs,
    );
  });
  try {
    await Promise.race([options.ready(service), failed, timeout]);
  } catch (error) {
    await service.stop(500);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  failed.catch(() => undefined); // later exits are reported by whoever owns the service
  return service;
}

/**
 * Retries `probe` every `intervalMs` until it resolves.
 * @throws the probe's last error once `timeoutMs` has passed.
 */
export async function until(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
