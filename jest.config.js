// Jest projects: one per kind of proof (see the README, "Tests"). TypeScript is
// transformed by swc (fast, no type-check); `npm run typecheck` checks types.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
];

/** @param {string} name @param {import('jest').Config} [extra] @returns {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform: { '^.+\\.ts$': swc },
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', { setupFiles: ['<rootDir>/test/setup/handler-env.ts'] }),
    project('workflow', { setupFiles: ['<rootDir>/test/setup/handler-env.ts'] }),
    project('cdk', { setupFilesAfterEnv: ['<rootDir>/test/setup/cdk-outdir.ts'] }),
    project('e2e', {
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/support/timeout.ts'],
    }),
    // Each file starts its own runtime (with faults, or to kill it); the longest scenarios live here.
    project('reliability', { setupFilesAfterEnv: ['<rootDir>/test/e2e/support/timeout.ts'] }),
    // The local console in a real Chromium (@sparticuz/chromium). puppeteer-core ships ES modules
    // only: swc turns them into CommonJS for jest (cached after the first run).
    project('browser', {
      setupFilesAfterEnv: ['<rootDir>/test/e2e/support/timeout.ts'],
      transform: {
        '^.+\\.ts$': swc,
        '^.+/node_modules/(puppeteer-core|@puppeteer/browsers|chromium-bidi)/.+\\.js$': swc,
      },
      transformIgnorePatterns: ['/node_modules/(?!(puppeteer-core|@puppeteer/browsers|chromium-bidi)/)'],
    }),
    // Debian's AWS CLI and boto3 against a runtime of the suite's own; skipped, with one line saying how to
    // run it, on a machine without them (test/clients/support/clients.ts).
    project('clients', {
      globalSetup: '<rootDir>/test/clients/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/clients/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/support/timeout.ts'],
    }),
  ],
  reporters: ['default', '<rootDir>/test/reporters/summary-line.js'],
};
