import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every function is bundled (esbuild through `NodejsFunction`), in one
 * place so that `npm run bench` measures the bundles CDK ships. Type-only
 * import of aws-cdk-lib: the bench loads this file without the CDK.
 *
 * - The AWS SDK clients are bundled, not left to the runtime. The Node.js
 *   runtime's SDK is whatever version Lambda ships and updates at will
 *   (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html;
 *   "Control the dependencies in your function's deployment package",
 *   https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html), and
 *   describe-object relies on HeadObject's `TagCount`, a recent addition to the
 *   S3 model: the lockfile's SDK, which the tests run, is what ships.
 * - `mainFields: module, main`: the SDK's ES modules, which esbuild can
 *   tree-shake (its CommonJS build is one file per package, every command in it).
 * - `TRACE_SDK_CALLS` is fixed at bundle time, so with SDK-call tracing off
 *   (the default) the X-Ray SDK is not in the bundle at all (functions/powertools.ts).
 * - {@link UNREACHED_CREDENTIAL_PROVIDERS} stay external.
 */

/**
 * The credential providers the SDK's default chain imports (dynamic `import()`)
 * only after the environment held no credentials. Lambda always puts the
 * execution role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: "Defined runtime environment
 * variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * where the chain's first link (`fromEnv`, bundled) finds them: these are
 * never loaded there. Bundled, they would add about 125 KB to each function
 * (SSO, STS, SSO-OIDC and sign-in clients). `test/cdk/cli.test.ts` checks that
 * nothing else is left to the runtime, and only behind a dynamic import.
 */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

/** What a function's bundle depends on in its configuration. */
export interface FunctionBundlingOptions {
  /** Whether each SDK call is an X-Ray subsegment (Powertools Tracer); off leaves the X-Ray SDK out. */
  readonly traceSdkCalls: boolean;
}

/** The `bundling` options of every `NodejsFunction` of the pipeline. */
export function functionBundling(options: FunctionBundlingOptions): BundlingOptions {
  return {
    minify: true,
    // Stack traces in the logs point at the TypeScript source (NODE_OPTIONS=--enable-source-maps);
    // without the sources' text, which a stack trace does not need, the map is smaller to load.
    sourceMap: true,
    sourcesContent: false,
    target: 'node24',
    mainFields: ['module', 'main'],
    externalModules: [...UNREACHED_CREDENTIAL_PROVIDERS],
    define: { 'process.env.TRACE_SDK_CALLS': JSON.stringify(String(options.traceSdkCalls)) },
  };
}
