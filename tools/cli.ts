import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import * as z from 'zod';

/*
 * Command-line plumbing shared by `npm start` (local/main.ts) and
 * `npm run reconcile`: one way to read flags and one way to say what is wrong.
 */

/** An S3 bucket name, as a flag gives it. */
export const bucketNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens',
  );

/**
 * Reads the process's flags with `parseArgs` (no positionals, unknown flags
 * refused) and checks them with `schema`. Every problem goes to `fail` in one
 * message, a line per flag: the flag, what is allowed, the value received.
 */
export function readFlags<Schema extends z.ZodType>(
  options: ParseArgsOptionsConfig,
  schema: Schema,
  fail: (message: string) => never,
): z.output<Schema> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options,
    }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const parsed = schema.safeParse(values, { reportInput: true });
  if (!parsed.success) {
    fail(
      parsed.error.issues
        .map(
          (issue) =>
            `--${issue.path.join('.')}: ${issue.message}${'input' in issue && issue.input !== undefined ? ` (received ${JSON.stringify(issue.input)})` : ''}`,
        )
        .join('\n       '),
    );
  }
  return parsed.data;
}
