import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '../../bench/cold-start';
import { functionBundling } from '../../cdk/function-bundling';

const ROOT = join(__dirname, '..', '..');

/** The starter bundled as the stack bundles it, in memory. */
async function starterBundle(traceSdkCalls: boolean): Promise<string> {
  const result = await build({
    ...esbuildOptionsOf(functionBundling({ traceSdkCalls })),
    sourcemap: false,
    entryPoints: [join(ROOT, 'functions', 'starter', 'index.ts')],
    outfile: join(ROOT, 'bench', 'results', 'tmp', 'starter.js'),
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
}

// traceSdkCalls decides at bundle time whether the Powertools Tracer (and the X-Ray SDK under it) ships.
describe('functionBundling', () => {
  it('leaves the tracer and the X-Ray SDK out when SDK-call tracing is off', async () => {
    const code = await starterBundle(false);
    expect(code).toContain('StartExecution');
    expect(code).not.toContain('captureAWSv3Client');
    expect(code).not.toContain('AWS_XRAY_CONTEXT_MISSING');
  }, 60_000);

  it('bundles the tracer and the X-Ray SDK when SDK-call tracing is on', async () => {
    const code = await starterBundle(true);
    expect(code).toContain('captureAWSv3Client');
    expect(code).toContain('AWS_XRAY_CONTEXT_MISSING');
  }, 60_000);
});
