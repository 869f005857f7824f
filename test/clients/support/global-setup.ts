import { startRuntimeProcess } from '../../support/runtime-process';
import { INSTALL_HINT, missingClients } from './clients';

/**
 * Starts one local runtime for the real clients suite (as the e2e project
 * does), or, when the clients are not installed, starts nothing and says so
 * once: every test of the suite is then skipped, and the closing summary line
 * repeats it (test/reporters/summary-line.js reads CLIENTS_SKIPPED).
 */
export default async function globalSetup(): Promise<void> {
  const missing = missingClients();
  if (missing.length > 0) {
    const line = `real clients suite skipped: missing ${missing.join(' and ')}; to run it: ${INSTALL_HINT}`;
    process.env.CLIENTS_SKIPPED = line;
    process.stderr.write(`\n${line}\n`);
    return;
  }
  const runtime = await startRuntimeProcess(['--quiet', '--visibility-timeout', '1', '--retry-scale', '0.1']);
  process.env.CLIENTS_ENDPOINT = runtime.endpoint;
  (globalThis as { __CLIENTS_RUNTIME__?: unknown }).__CLIENTS_RUNTIME__ = runtime;
}
