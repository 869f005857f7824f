import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsSchema } from '../../bench/results-schema';
import { runCli } from '../support/run-cli';

// The benchmark's smoke variant: small N, only that it completes and writes well-formed results.
// The numbers themselves are judged in `npm run bench`, never here.
describe('npm run bench -- --smoke', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('completes and writes the results, the chart and the table', async () => {
    const result = await runCli('bench/run.ts', ['--smoke', '--out', join(out, 'latest.json')], 240_000);
    expect({ code: result.code, stderr: result.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    const results = resultsSchema.parse(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')));
    expect(results.n).toBe(20);
    expect(results.coldStart.map((cold) => cold.handler)).toEqual([
      'starter',
      'describe-object',
      'sniff-content',
      'write-metadata',
      'publish-notification',
    ]);
    expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect(existsSync(join(out, 'latest.md'))).toBe(true);
    expect(result.stdout).toContain('Targets:');
  }, 300_000);
});
