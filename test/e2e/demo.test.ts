import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('npm run demo (the README main job)', () => {
  it('uploads the samples, prints their records and notifications, and exits 0', async () => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['local/main.ts', '--demo', '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exit) => resolve(exit)));
    clearTimeout(timer);
    expect({ code, tail: output.slice(-400) }).toMatchObject({ code: 0 });
    expect(output).toContain('All 17 objects are recorded as expected.');
    expect(output).toMatch(
      /images\/mislabeled\.jpg\s+present\s+463\s+image\/jpeg\s+image\/png\s+image\s+YES/,
    );
    expect(output).toMatch(/reports\/sales 2026 é\.csv\s+present/);
    expect(output).toMatch(/tmp\/scratch\.txt\s+deleted/);
    expect(output).toMatch(/Notifications received: \d+ \(\d+ object\.created, 1 object\.deleted\)/);
    // One signed delivery verified by the example webhook (sns-validator), and its email as an .eml file.
    expect(output).toMatch(
      /webhook │ ✓ object\.created s3:\/\/uploads\/images\/photo\.png .*\(signature v2 verified\)/,
    );
    expect(output).toMatch(/mail │ Subject: New object: s3:\/\/uploads\/images\/photo\.png/);
  });
});
