import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue, QueryCommandInput } from '@aws-sdk/client-dynamodb';

/*
 * The README's "Querying the table" commands are the single source of the
 * queries the tests run: the e2e suite turns each into the SDK's QueryCommand
 * input, the real-clients suite runs it as written with the AWS CLI.
 */

const README = join(__dirname, '..', '..', 'README.md');
const SECTION = '## Querying the table';

/** One `aws dynamodb query` command of the README: the comment above it and its words after `aws`. */
export interface ReadmeQuery {
  comment: string;
  args: string[];
}

/**
 * Splits shell text into commands of words as a POSIX shell would for these
 * lines: single quotes literal, double quotes with backslash escapes, a
 * backslash-newline joins lines, `#` at the start of a word comments to the
 * end of the line. Enough for the README's commands; no expansions.
 */
export function shellCommands(text: string): { comment: string; words: string[] }[] {
  const commands: { comment: string; words: string[] }[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let comment = '';
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length === 0) return;
    commands.push({ comment, words });
    comment = '';
    words = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (c === '\\' && text[i + 1] === '\n') {
      i += 1;
    } else if (c === '\\') {
      word = (word ?? '') + (text[i + 1] ?? '');
      i += 1;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${text.slice(i, i + 60)}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let value = '';
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
        if (text[i] === '\\' && /["\\$`]/.test(text[i + 1] ?? '')) i += 1;
        value += text[i];
      }
      word = (word ?? '') + value;
    } else if (c === '#' && word === undefined) {
      const end = text.indexOf('\n', i);
      const line = text.slice(i + 1, end < 0 ? undefined : end).trim();
      if (words.length === 0) comment = comment ? `${comment} ${line}` : line;
      i = end < 0 ? text.length : end - 1;
    } else if (c === '\n') {
      endCommand();
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

/** The `aws dynamodb query` commands of the README's "Querying the table" section, in order. */
export function readmeQueries(readme = readFileSync(README, 'utf8')): ReadmeQuery[] {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const next = readme.indexOf('\n## ', start + SECTION.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => shellCommands(block))
    .filter(({ words }) => words[0] === 'aws' && words[1] === 'dynamodb' && words[2] === 'query')
    .map(({ comment, words }) => ({ comment, args: words.slice(1) }));
}

/** The options of one command: `--name value`, or `--flag` alone when no value follows. */
function options(args: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 2; i < args.length; i += 1) {
    const name = args[i] ?? '';
    if (!name.startsWith('--')) throw new Error(`unexpected word "${name}" in aws ${args.join(' ')}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) out.set(name.slice(2), true);
    else {
      out.set(name.slice(2), value);
      i += 1;
    }
  }
  return out;
}

/** CLI options that shape the CLI's output only: the SDK's caller reads the items itself. */
const OUTPUT_ONLY = new Set(['query', 'output', 'max-items', 'endpoint-url']);

/**
 * The QueryCommand input a CLI `dynamodb query` sends
 * (https://docs.aws.amazon.com/cli/latest/reference/dynamodb/query.html): each
 * option is the API parameter of the same name; `--no-scan-index-forward` is
 * `ScanIndexForward: false`. An option not known here fails, so a README
 * command can never be half-run.
 */
export function toQueryInput(query: ReadmeQuery): QueryCommandInput {
  const input: Partial<QueryCommandInput> = {};
  for (const [name, value] of options(query.args)) {
    if (OUTPUT_ONLY.has(name)) continue;
    const text = () => {
      if (value === true) throw new Error(`--${name} needs a value`);
      return value;
    };
    switch (name) {
      case 'table-name':
        input.TableName = text();
        break;
      case 'index-name':
        input.IndexName = text();
        break;
      case 'key-condition-expression':
        input.KeyConditionExpression = text();
        break;
      case 'filter-expression':
        input.FilterExpression = text();
        break;
      case 'projection-expression':
        input.ProjectionExpression = text();
        break;
      case 'expression-attribute-names':
        input.ExpressionAttributeNames = JSON.parse(text()) as Record<string, string>;
        break;
      case 'expression-attribute-values':
        input.ExpressionAttributeValues = JSON.parse(text()) as Record<string, AttributeValue>;
        break;
      case 'no-scan-index-forward':
        input.ScanIndexForward = false;
        break;
      case 'scan-index-forward':
        input.ScanIndexForward = true;
        break;
      default:
        throw new Error(`--${name} is not translated to the SDK (aws ${query.args.join(' ')})`);
    }
  }
  if (input.TableName === undefined) throw new Error(`no --table-name in aws ${query.args.join(' ')}`);
  return { ...input, TableName: input.TableName };
}

/** The command with another value for one expression attribute (the day a test's uploads arrived). */
export function withValue(query: ReadmeQuery, placeholder: string, value: AttributeValue): ReadmeQuery {
  const args = [...query.args];
  const at = args.indexOf('--expression-attribute-values');
  const json = args[at + 1];
  if (at < 0 || json === undefined) throw new Error('the command has no --expression-attribute-values');
  const values = JSON.parse(json) as Record<string, AttributeValue>;
  if (!(placeholder in values)) throw new Error(`the command has no ${placeholder}`);
  args[at + 1] = JSON.stringify({ ...values, [placeholder]: value });
  return { ...query, args };
}
