import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UNREACHED_CREDENTIAL_PROVIDERS } from '../../cdk/function-bundling';
import {
  constructIdOf,
  FUNCTION_NAMES,
  STARTER,
  type StepAccess,
  WORKFLOW_STEPS,
} from '../../statemachine/steps';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

/** The AWS SDK client each kind of access in the registry calls AWS with. */
const CLIENT_OF: Record<StepAccess, string> = {
  'describe-objects': '@aws-sdk/client-s3',
  'read-objects': '@aws-sdk/client-s3',
  'write-table': '@aws-sdk/client-dynamodb',
  'publish-topic': '@aws-sdk/client-sns',
};

// The real CLI, as a user runs it: cdk.json, tsx, esbuild bundling, cdk-nag.
describe('npx cdk synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("synthesizes offline, bundling each function with esbuild and the lockfile's AWS SDK clients", async () => {
    const { stderr } = await run(CDK, ['synth', '--quiet', '--output', out], { cwd: ROOT, timeout: 120_000 });
    expect(stderr).not.toMatch(/ERROR|AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(out, 'S3MetadataPipeline.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    expect(
      Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine'),
    ).toHaveLength(1);
    // Each function's bundle, found through the asset path CDK records on its resource.
    const bundleOf = (folder: string): string => {
      const entry = Object.entries(template.Resources).find(
        ([id, r]) =>
          r.Type === 'AWS::Lambda::Function' && new RegExp(`${constructIdOf(folder)}[0-9A-F]{8}$`).test(id),
      );
      const assetPath = entry?.[1].Metadata?.['aws:asset:path'];
      if (assetPath === undefined) throw new Error(`no bundled function for ${folder}`);
      return readFileSync(join(out, assetPath, 'index.js'), 'utf8');
    };
    const versionOf = (client: string) =>
      (
        JSON.parse(readFileSync(join(ROOT, 'node_modules', client, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    for (const folder of FUNCTION_NAMES) {
      const code = bundleOf(folder);
      const access: readonly StepAccess[] =
        WORKFLOW_STEPS.find((step) => step.folder === folder)?.access ?? [];
      const clients = folder === STARTER ? ['@aws-sdk/client-sfn'] : access.map((need) => CLIENT_OF[need]);
      // Nothing of the SDK comes from the Lambda runtime's copy (an SDK error message quotes `[require("...")]`)...
      expect({ folder, required: code.match(/(?<!\[)require\("@(aws-sdk|smithy)\/[^"]+"\)/g) }).toEqual({
        folder,
        required: null,
      });
      // ...except the credential providers that the default chain imports only when the environment has no
      // credentials, which Lambda's always has (cdk/function-bundling.ts).
      const imported = new Set(
        [...code.matchAll(/import\("(@(?:aws-sdk|smithy)\/[^"]+)"\)/g)].map((m) => m[1]),
      );
      expect({ folder, imported: [...imported].sort() }).toEqual({
        folder,
        imported: clients.length > 0 ? [...UNREACHED_CREDENTIAL_PROVIDERS].sort() : [],
      });
      // The clients it calls AWS with are the lockfile's versions, bundled.
      for (const client of clients)
        expect({ folder, client, bundled: code.includes(`"${versionOf(client)}"`) }).toEqual({
          folder,
          client,
          bundled: true,
        });
      // SDK-call tracing is off by default: the X-Ray SDK is not in the bundle.
      expect({ folder, tracer: code.includes('captureAWSv3Client') }).toEqual({ folder, tracer: false });
    }
    // describe-object reads tags only when HeadObject's TagCount (the x-amz-tagging-count header) says so: the
    // model it ships must know that member.
    expect(bundleOf('describe-object')).toContain('x-amz-tagging-count');
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
