import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// An App built without an outdir synthesizes into a new cdk.outXXXXXX under
// the system temp directory and never removes it (about twenty per `npm test`).
// Each test file gets one directory instead (App reads CDK_OUTDIR), removed
// when the file ends. Files run in separate workers, so they never share one.
const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
process.env.CDK_OUTDIR = outdir;

afterAll(() => rmSync(outdir, { recursive: true, force: true }));
