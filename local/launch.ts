import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** A local runtime running in a child process. */
export interface RuntimeProcess {
  endpoint: string;
  child: ChildProcess;
  /** Everything the runtime printed so far. */
  output(): string;
  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>;
}

/**
 * Starts the local runtime (local/main.ts, what `npm start` runs) in a child
 * process on a free port and waits for its "Ready:" line. The bench and the
 * end-to-end and reliability tests drive the runtime through it. The child is
 * the runtime itself (`node --import tsx`, no wrapper), so a signal sent to it
 * reaches the runtime.
 */
export function startRuntimeProcess(
  args: readonly string[] = [],
  timeoutMs = 90_000,
): Promise<RuntimeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The runtime was not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const ready = /Ready: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (ready?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve({
        endpoint: ready[1],
        child,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGINT');
          const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
          const code = await exited;
          clearTimeout(guard);
          return code;
        },
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The runtime exited (${code}) before it was ready:\n${output}`));
    });
  });
}
