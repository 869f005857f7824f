import type { z } from 'zod';
import { InvalidInputError } from './errors';

/** Formats zod issues as `path: message` lines, e.g. `Records[0].s3.object.key: expected string, received undefined`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path
        .map((part, index) =>
          typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
        )
        .join('');
      return `${path === '' ? '(root)' : path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates `value` at an edge of the system.
 * @param what names the input in the error message, e.g. "describe-object input".
 * @throws InvalidInputError listing every problem: where, what was wrong.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInputError(`${what} is not valid: ${describeIssues(result.error.issues)}`);
  }
  return result.data;
}
