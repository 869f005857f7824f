import type { RuntimeProcess } from '../../support/runtime-process';

export default async function globalTeardown(): Promise<void> {
  const runtime = (globalThis as { __CLIENTS_RUNTIME__?: RuntimeProcess }).__CLIENTS_RUNTIME__;
  if (runtime === undefined) return;
  const code = await runtime.stop();
  if (code !== 0)
    throw new Error(`The runtime did not stop cleanly (exit ${code}):\n${runtime.output().slice(-3000)}`);
}
