import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { functionBundling } from '../cdk/function-bundling';
import { DEFAULT_TABLE_NAME, METRIC_NAMESPACE, SERVICE_NAME } from '../functions/core/names';
import { FUNCTION_NAMES, type FunctionName } from '../statemachine/steps';

/**
 * Cold start, per handler: the bundle as CDK builds it (cdk/function-bundling.ts,
 * the same options) and its module initialization in a fresh Node process,
 * the median of several. Node's own start is not counted: this is the part
 * of a Lambda init duration the code controls.
 *
 * Each handler is measured twice, in the same run and interleaved so that the
 * machine's other load weighs on both alike: as it ships, and as it was
 * bundled before (the AWS SDK left to the Lambda runtime, required here from
 * node_modules in its CommonJS build as the runtime would from /var/runtime;
 * the X-Ray SDK always bundled).
 */

const ROOT = join(__dirname, '..');

/** Every function of the pipeline, from the registry (statemachine/steps.ts). */
export const HANDLERS: readonly FunctionName[] = FUNCTION_NAMES;

/** How the functions were bundled until the SDK was bundled (issue 14): kept to compare with. */
export const RUNTIME_SDK_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  externalModules: ['@aws-sdk/*'],
};

/** What Lambda and the stack put in a function's environment, as far as init reads it. */
const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  TABLE_NAME: DEFAULT_TABLE_NAME,
  TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:topic',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine',
  POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
};

/** One bundle of one handler, measured. */
export interface BundleMeasure {
  bundleBytes: number;
  /** Wall-clock time of the require, median. */
  initMsMedian: number;
  /** CPU time (user + system) of the require, median: less moved by the machine's other load. */
  initCpuMsMedian: number;
  /** The heaviest packages in the bundle, by bytes. */
  largestInputs: { name: string; bytes: number }[];
}

/** A handler's cold start as it ships (the top-level fields) and as it was bundled before. */
export interface ColdStart extends BundleMeasure {
  handler: string;
  before: BundleMeasure;
}

/** The esbuild options `NodejsFunction` derives from its `bundling` props (format CJS, SDK external by default). */
export function esbuildOptionsOf(bundling: BundlingOptions): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    target: bundling.target ?? 'node24',
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[middle] ?? 0);
}

/**
 * Requires a bundle in a fresh Node process; its wall and CPU milliseconds.
 * With source maps, as deployed (the stack sets NODE_OPTIONS=--enable-source-maps).
 */
function requireOnce(file: string, sourceMaps: boolean): { wallMs: number; cpuMs: number } {
  const script = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const w=performance.now()-t,u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1000}))`;
  const output = execFileSync(
    process.execPath,
    [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script],
    {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
    },
  ).toString();
  return JSON.parse(output) as { wallMs: number; cpuMs: number };
}

function packageOf(path: string): string {
  const parts = path.split('node_modules/').pop()?.split('/') ?? [];
  if (!path.includes('node_modules/')) return '(this project)';
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

function largestInputs(metafile: Metafile): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined);
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

/** Bundles one handler as `bundling` says; the bundle's path and its largest inputs. */
async function bundle(handler: string, bundling: BundlingOptions, outfile: string) {
  const { metafile } = await build({
    ...esbuildOptionsOf(bundling),
    entryPoints: [join(ROOT, 'functions', handler, 'index.ts')],
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return { outfile, largestInputs: largestInputs(metafile) };
}

/** Measures every handler, shipped and before; `runs` fresh processes each, interleaved. */
export async function measureColdStarts(runs: number, outDir: string): Promise<ColdStart[]> {
  const variants = [
    { name: 'shipped', bundling: functionBundling({ traceSdkCalls: false }) },
    { name: 'before', bundling: RUNTIME_SDK_BUNDLING },
  ] as const;
  const results: ColdStart[] = [];
  for (const handler of HANDLERS) {
    const built = await Promise.all(
      variants.map(async (variant) => {
        const dir = join(outDir, variant.name);
        mkdirSync(dir, { recursive: true });
        return { ...variant, ...(await bundle(handler, variant.bundling, join(dir, `${handler}.js`))) };
      }),
    );
    const samples = built.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    for (let run = 0; run < runs; run += 1) {
      built.forEach((variant, index) => {
        const { wallMs, cpuMs } = requireOnce(variant.outfile, variant.bundling.sourceMap === true);
        samples[index]?.wall.push(wallMs);
        samples[index]?.cpu.push(cpuMs);
      });
    }
    const [shipped, before] = built.map(
      (variant, index): BundleMeasure => ({
        bundleBytes: statSync(variant.outfile).size,
        initMsMedian: median(samples[index]?.wall ?? []),
        initCpuMsMedian: median(samples[index]?.cpu ?? []),
        largestInputs: variant.largestInputs,
      }),
    );
    if (shipped === undefined || before === undefined)
      throw new Error(`${handler}: a variant was not measured`);
    results.push({ handler, ...shipped, before });
  }
  return results;
}
