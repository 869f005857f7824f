import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The real clients this suite drives: Debian's AWS CLI v2 (`awscli`, 2.9.19) and
 * boto3 (`python3-boto3`, 1.26) for Debian's Python. Called by absolute path:
 * a different `aws` (the CLI v1) or `python3` (without boto3) may come first on PATH.
 */
export const AWS_CLI = '/usr/bin/aws';
export const PYTHON = '/usr/bin/python3';

/** How to get the clients, for the message printed when they are missing. */
export const INSTALL_HINT = 'apt-get install -y awscli python3-boto3 (as root), then npm run test:clients';

/** What is missing to run the suite; empty when both clients are here. */
export function missingClients(): string[] {
  const missing: string[] = [];
  if (!existsSync(AWS_CLI)) missing.push(`${AWS_CLI} (Debian package awscli)`);
  const boto3 = existsSync(PYTHON)
    ? spawnSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore', timeout: 20_000 }).status === 0
    : false;
  if (!boto3) missing.push(`boto3 for ${PYTHON} (Debian package python3-boto3)`);
  return missing;
}

/** The endpoint of the runtime started for the suite (global-setup.ts); undefined when the suite is skipped. */
export function clientsEndpoint(): string | undefined {
  return process.env.CLIENTS_ENDPOINT;
}

/**
 * `describe` when the clients and the suite's runtime are here, `describe.skip`
 * otherwise (global-setup.ts prints the one line that says so and how to run it).
 */
export function describeWithClients(name: string, tests: () => void): void {
  (clientsEndpoint() === undefined ? describe.skip : describe)(name, tests);
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Credentials and settings no user file can override: the suite is the same on every machine. */
function clientEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_RETRY_MODE: 'standard',
    AWS_MAX_ATTEMPTS: '1',
  };
}

function run(
  command: string,
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs?: number; cwd?: string },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        env: clientEnv(),
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

function endpointOrThrow(endpoint?: string): string {
  const value = endpoint ?? clientsEndpoint();
  if (value === undefined)
    throw new Error('CLIENTS_ENDPOINT is not set: run this suite through jest --selectProjects clients');
  return value;
}

export interface ClientOptions {
  /** Bytes on the command's standard input (`aws s3 cp - s3://...`). */
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  /** Another runtime than the suite's (a test that starts its own). */
  endpoint?: string;
}

/**
 * Runs Debian's AWS CLI against the suite's runtime: `--endpoint-url`, region
 * us-east-1, dummy credentials, JSON output, no pager, one attempt (a failure
 * shows at once, not after the CLI's retries). Resolves with the exit code
 * and output whatever they are.
 * @example await aws(['s3api', 'head-object', '--bucket', 'uploads', '--key', 'a.txt'])
 */
export function aws(args: readonly string[], options: ClientOptions = {}): Promise<Run> {
  return run(
    AWS_CLI,
    [
      '--endpoint-url',
      endpointOrThrow(options.endpoint),
      '--region',
      'us-east-1',
      '--output',
      'json',
      '--no-cli-pager',
      ...args,
    ],
    options,
  );
}

/** `aws(...)` that must succeed: its JSON output parsed (undefined for commands that print nothing). */
export async function awsJson<T = Record<string, unknown>>(
  args: readonly string[],
  options: ClientOptions = {},
): Promise<T> {
  const result = await aws(args, options);
  if (result.code !== 0)
    throw new Error(`aws ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return (result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout)) as T;
}

/**
 * The AWS error code of a failed CLI call, from the line the CLI prints:
 * "An error occurred (PreconditionFailed) when calling the PutObject operation: ...".
 * Undefined when the call succeeded or failed before reaching the service.
 */
export function awsErrorCode(result: Run): string | undefined {
  return /An error occurred \(([A-Za-z0-9.]+)\)/.exec(result.stderr)?.[1];
}

/** Python defined before each snippet: clients for the endpoint, and `out(value)` to hand a result back. */
const PRELUDE = `
import json, sys, boto3, botocore
from botocore.config import Config
ENDPOINT = sys.argv[1]
session = boto3.session.Session(aws_access_key_id='test', aws_secret_access_key='test', region_name='us-east-1')
def client(service, **config):
    return session.client(service, endpoint_url=ENDPOINT, config=Config(retries={'max_attempts': 1, 'mode': 'standard'}, **config))
def out(value):
    print(json.dumps(value, default=str))
`;

/**
 * Runs a Python snippet with Debian's boto3 against the suite's runtime.
 * The snippet has `client(service, **botocore_config)` (endpoint, region and
 * dummy credentials set, one attempt), `ENDPOINT`, and `out(value)`, which
 * prints a value as JSON for `boto3Json`.
 * @example await boto3(`client('s3').put_object(Bucket='uploads', Key='a.txt', Body=b'')`)
 */
export function boto3(script: string, options: ClientOptions = {}): Promise<Run> {
  return run(PYTHON, ['-c', `${PRELUDE}\n${script}`, endpointOrThrow(options.endpoint)], options);
}

/** `boto3(...)` that must succeed: the value its last `out(...)` printed. */
export async function boto3Json<T = unknown>(script: string, options: ClientOptions = {}): Promise<T> {
  const result = await boto3(script, options);
  if (result.code !== 0) throw new Error(`python3 exited ${result.code}:\n${result.stderr}${result.stdout}`);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
