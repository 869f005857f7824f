import { startRuntimeProcess } from '../../support/runtime-process';

/**
 * Starts one local runtime for the whole e2e project, on a free port (so the
 * suite runs while a user's runtime holds 4566), with short timeouts so that
 * redeliveries and dead-lettering happen within seconds.
 */
export default async function globalSetup(): Promise<void> {
  const runtime = await startRuntimeProcess(['--quiet', '--visibility-timeout', '1', '--retry-scale', '0.1']);
  process.env.E2E_ENDPOINT = runtime.endpoint;
  (globalThis as { __E2E_RUNTIME__?: unknown }).__E2E_RUNTIME__ = runtime;
}
