import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { subscribe } from '../support/subscriber';

/** Processes whose command line mentions a path (the emulators started for a data directory). */
function processesUsing(path: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return command.includes(path) ? [`${pid}: ${command.slice(0, 120)}`] : [];
      } catch {
        return [];
      }
    });
}

describe('crash and restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-test-'));
  let second: RuntimeProcess | undefined;
  afterAll(async () => {
    if (second) await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records every acknowledged upload exactly once after a SIGKILL mid-burst and a restart on the same data', async () => {
    const args = ['--data-dir', dataDir, '--visibility-timeout', '2', '--retry-scale', '0.1'];
    const first = await startRuntimeProcess(args);
    const clients = clientsFor(first.endpoint);
    await subscribe(clients, 'crash-subscriber');

    // Four writers upload until the runtime dies under them; only acknowledged uploads count.
    const acknowledged = new Map<string, string>();
    let next = 0;
    let killed = false;
    const writers = Array.from({ length: 4 }, async () => {
      while (!killed) {
        const key = `crash/${String(next).padStart(5, '0')}.txt`;
        next += 1;
        try {
          const put = await clients.s3.send(
            new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: `payload of ${key}` }),
          );
          acknowledged.set(key, (put.ETag ?? '').replace(/"/g, ''));
        } catch {
          return;
        }
      }
    });
    await eventually(
      async () => (acknowledged.size >= 150 ? true : undefined),
      60_000,
      '150 acknowledged uploads',
    );
    await first.kill();
    // Every item the first runtime wrote has an earlier ProcessedAt (the write step's clock, this machine's).
    const killedAt = new Date().toISOString();
    killed = true;
    await Promise.all(writers);
    // Nothing outlives the runtime: its JVM and fauxqs died with it.
    await eventually(
      async () => (processesUsing(dataDir).length === 0 ? true : undefined),
      10_000,
      'the emulators to exit',
    );

    second = await startRuntimeProcess(args);
    const after = clientsFor(second.endpoint);
    const missing = async () => {
      const left: string[] = [];
      for (const [key, eTag] of acknowledged) if ((await after.item(key))?.ETag !== eTag) left.push(key);
      return left;
    };
    await eventually(
      async () => ((await missing()).length === 0 ? true : undefined),
      120_000,
      'an item for every acknowledged upload',
    );
    // Work was cut short: the restarted runtime wrote the items of some acknowledged uploads.
    const processedAt = await Promise.all(
      [...acknowledged.keys()].map(async (key) => String((await after.item(key))?.ProcessedAt ?? '')),
    );
    expect(processedAt.filter((at) => at > killedAt).length).toBeGreaterThan(0);

    // Notifications may repeat for executions cut mid-step, always with the same id: one id per object.
    const subscriber = await subscribe(after, 'crash-subscriber');
    await eventually(
      async () => {
        await subscriber.drain();
        const keys = new Set(subscriber.delivered.map((delivered) => delivered.document.key));
        return [...acknowledged.keys()].every((key) => keys.has(key)) ? true : undefined;
      },
      60_000,
      'a notification for every acknowledged upload',
    );
    for (const key of acknowledged.keys()) {
      const ids = new Set(
        subscriber.delivered
          .filter((delivered) => delivered.document.key === key)
          .map((delivered) => delivered.document.id),
      );
      expect({ key, ids: ids.size }).toEqual({ key, ids: 1 });
    }
  });
});
