import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from '../../../local/runtime';

describe('one runtime per data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('claims a free directory and releases it', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'runtime.pid'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'runtime.pid'))).toBe(false);
  });

  it('refuses a directory a live process holds, naming it', () => {
    writeFileSync(join(dir, 'runtime.pid'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(
      new RegExp(`data directory .* is in use by another runtime \\(process ${process.ppid}\\)`),
    );
  });

  it('takes over a claim left by a runtime that died', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(join(dir, 'runtime.pid'), String(dead));
    lockDataDir(dir);
    expect(readFileSync(join(dir, 'runtime.pid'), 'utf8')).toBe(String(process.pid));
  });
});
