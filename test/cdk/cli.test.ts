import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FUNCTION_NAMES } from '../../statemachine/steps';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

// The real CLI, as a user runs it: cdk.json, tsx, esbuild bundling, cdk-nag.
describe('npx cdk synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('synthesizes offline, bundling each function with esbuild and leaving the AWS SDK to the runtime', async () => {
    const { stderr } = await run(CDK, ['synth', '--quiet', '--output', out], { cwd: ROOT, timeout: 120_000 });
    expect(stderr).not.toMatch(/ERROR|AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(out, 'S3MetadataPipeline.template.json'), 'utf8'));
    expect(
      Object.values(template.Resources).filter(
        (r) => (r as { Type: string }).Type === 'AWS::StepFunctions::StateMachine',
      ),
    ).toHaveLength(1);
    const bundles = readdirSync(out)
      .filter((entry) => entry.startsWith('asset.'))
      .map((entry) => join(out, entry, 'index.js'))
      .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
    expect(bundles).toHaveLength(FUNCTION_NAMES.length);
    const codes = bundles.map((bundle) => readFileSync(bundle, 'utf8'));
    // Every function that calls AWS requires the SDK from the runtime; none bundles it.
    expect(
      codes.filter((code) => /require\("@aws-sdk\/(client-[a-z0-9]+|lib-dynamodb)"\)/.test(code)).length,
    ).toBeGreaterThan(0);
    for (const code of codes) expect(code).not.toContain('smithy-client/dist-cjs');
  }, 120_000);

  it('fails on a wrong configuration with one clear message and no stack trace', async () => {
    const failure = await run(
      CDK,
      ['synth', '--quiet', '--output', out, '-c', 'workflowType=FAST', '-c', 'webhookUrls=http://x.example'],
      {
        cwd: ROOT,
        timeout: 120_000,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).not.toBe(0);
    expect(failure.stderr).toMatch(
      /Invalid configuration \(cdk.json "context" or -c key=value\), 2 problem\(s\)/,
    );
    expect(failure.stderr).toMatch(/workflowType: .*\(received "FAST"\)/);
    expect(failure.stderr).toMatch(/webhookUrls\[0\]: expected an https:\/\/ URL/);
    expect(failure.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
