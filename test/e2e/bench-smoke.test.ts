import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsSchema } from '../../bench/results-schema';
import { ENRICHMENT_STAGES, FUNCTION_NAMES } from '../../statemachine/steps';
import { runCli } from '../support/run-cli';

// The benchmark's smoke variant: small N, only that it completes and writes well-formed results.
// The numbers themselves are judged in `npm run bench`, never here.
describe('npm run bench -- --smoke', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('completes and writes the results, the chart and the table, for every function and stage of the registry', async () => {
    const result = await runCli('bench/run.ts', ['--smoke', '--out', join(out, 'latest.json')], 240_000);
    expect({ code: result.code, stderr: result.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    const results = resultsSchema.parse(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')));
    expect(results.n).toBe(20);
    expect(results.coldStart.map((cold) => cold.handler)).toEqual(FUNCTION_NAMES);
    // Each enrichment stage ran for every file, so STANDARD bills it at least one transition per file.
    expect(results.cost.perStage.map((stage) => stage.stage)).toEqual(
      ENRICHMENT_STAGES.map((stage) => stage.folder),
    );
    for (const stage of results.cost.perStage) {
      expect(stage.perFile.transitions).toBeGreaterThanOrEqual(1);
      expect(stage.perMillion.standard.breakdown['Step Functions transitions']).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    const markdown = readFileSync(join(out, 'latest.md'), 'utf8');
    for (const stage of ENRICHMENT_STAGES) expect(markdown).toContain(`| ${stage.folder} |`);
    expect(result.stdout).toContain('Targets:');
  }, 300_000);
});
