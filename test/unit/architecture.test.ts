import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The import rules of docs/architecture.md ("Where things are"), checked on the code. */
const ROOT = join(__dirname, '..', '..');

function sourcesUnder(folder: string): string[] {
  const dir = join(ROOT, folder);
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory())
      return entry === 'node_modules' ? [] : sourcesUnder(relative(ROOT, path));
    return /\.(ts|mjs)$/.test(entry) ? [path] : [];
  });
}

/** Every module a file imports or requires, resolved to a path from the root for relative ones. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/require\(\s*[`']([^`'$]+)/g),
  ].map(([, specifier]) => specifier ?? '');
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(ROOT, join(file, '..', specifier)) : specifier,
  );
}

function violations(folder: string, allowed: (specifier: string) => boolean): string[] {
  return sourcesUnder(folder).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !allowed(specifier))
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
}

describe('the import rules of docs/architecture.md', () => {
  it('functions/core imports nothing AWS (only types of aws-lambda)', () => {
    expect(
      violations(
        'functions/core',
        (s) => !s.startsWith('@aws-sdk/') && !s.startsWith('@aws-lambda-powertools/'),
      ),
    ).toEqual([]);
  });

  it('cdk imports aws-cdk-lib, statemachine and only the pure data of functions/core, never handler code', () => {
    expect(
      violations(
        'cdk',
        (s) =>
          !s.startsWith('functions') || s === 'functions/core/names' || s === 'functions/core/table-schema',
      ),
    ).toEqual([]);
  });

  it('bench imports no test code', () => {
    expect(violations('bench', (s) => !s.startsWith('test'))).toEqual([]);
  });

  it('statemachine imports nothing of the project outside itself', () => {
    expect(
      violations('statemachine', (s) => !/^(functions|local|cdk|tools|bench|test)(\/|$)/.test(s)),
    ).toEqual([]);
  });
});
