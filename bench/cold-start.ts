import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

/**
 * Cold start, per handler: the bundle as CDK builds it (esbuild, minified,
 * AWS SDK external, Node 24) and its module initialization time in a fresh
 * Node 24 process (the median of several). Node's own start is not counted:
 * this is the part of a Lambda init duration the code controls.
 */

const ROOT = join(__dirname, '..');
export const HANDLERS = [
  'starter',
  'describe-object',
  'sniff-content',
  'write-metadata',
  'publish-notification',
] as const;

const ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'S3FileMetadata',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:topic',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine',
  POWERTOOLS_METRICS_NAMESPACE: 'S3MetadataPipeline',
  POWERTOOLS_SERVICE_NAME: 's3-metadata-pipeline',
};

export interface ColdStart {
  handler: string;
  bundleBytes: number;
  initMsMedian: number;
  /** The heaviest packages in the bundle, by bytes. */
  largestInputs: { name: string; bytes: number }[];
  /**
   * Time to load each external dependency (the AWS SDK, which the Lambda
   * runtime provides) alone in a fresh process (median), slowest first.
   * Bundled packages are tree-shaken and loaded lazily, so their standalone
   * load time would mislead: see `largestInputs` for them.
   */
  imports: { name: string; initMs: number }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[middle] ?? 0);
}

/** Milliseconds to require a module in a fresh Node process (median of `runs`). */
function requireTime(specifier: string, runs: number): number {
  const script = `const t=performance.now();require(${JSON.stringify(specifier)});process.stdout.write(String(performance.now()-t))`;
  const times = Array.from({ length: runs }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        cwd: ROOT,
        env: { ...process.env, ...ENV },
      }).toString(),
    ),
  );
  return median(times);
}

function packageOf(path: string): string {
  const parts = path.split('node_modules/').pop()?.split('/') ?? [];
  if (!path.includes('node_modules/')) return '(this project)';
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

function largestInputs(metafile: Metafile): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
}

/** Measures every handler; `runs` fresh processes each for the init time. */
export async function measureColdStarts(runs: number, outDir: string): Promise<ColdStart[]> {
  mkdirSync(outDir, { recursive: true });
  const results: ColdStart[] = [];
  const importTimes = new Map<string, number>();
  const importTime = (name: string) => {
    const known = importTimes.get(name);
    if (known !== undefined) return known;
    const measured = requireTime(name, Math.max(3, Math.floor(runs / 2)));
    importTimes.set(name, measured);
    return measured;
  };
  for (const handler of HANDLERS) {
    const outfile = join(outDir, `${handler}.js`);
    const { metafile } = await build({
      entryPoints: [join(ROOT, 'functions', handler, 'index.ts')],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    const externals = new Set<string>();
    for (const output of Object.values(metafile.outputs)) {
      for (const imported of output.imports) if (imported.external) externals.add(imported.path);
    }
    results.push({
      handler,
      bundleBytes: statSync(outfile).size,
      initMsMedian: requireTime(outfile, runs),
      largestInputs: largestInputs(metafile),
      imports: [...externals]
        .filter((name) => name.startsWith('@aws-sdk/'))
        .map((name) => ({ name, initMs: importTime(name) }))
        .sort((a, b) => b.initMs - a.initMs),
    });
  }
  return results;
}
