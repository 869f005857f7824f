import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The workflow definition file, and the placeholders it declares. The CDK
 * stack, the workflow tests and the local runtime all fill this one file.
 */
export const DEFINITION_FILE = join(__dirname, 'metadata-pipeline.asl.json');

/** Each `${...}` placeholder of the definition, and the function (folder under functions/) it stands for. */
export const FUNCTION_PLACEHOLDERS = {
  DescribeObjectFunctionArn: 'describe-object',
  SniffContentFunctionArn: 'sniff-content',
  WriteMetadataFunctionArn: 'write-metadata',
  PublishNotificationFunctionArn: 'publish-notification',
} as const;

export type FunctionPlaceholder = keyof typeof FUNCTION_PLACEHOLDERS;
export type StepFunctionName = (typeof FUNCTION_PLACEHOLDERS)[FunctionPlaceholder];

/** The definition's text, placeholders unfilled. */
export function readDefinitionText(): string {
  return readFileSync(DEFINITION_FILE, 'utf8');
}

/** Every `${Name}` placeholder in a text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map(([, name]) => name ?? ''))];
}

/**
 * Fills the placeholders, as CDK's `definitionSubstitutions` does.
 * @throws Error naming any placeholder left without a value, or any value without a placeholder.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  const declared = placeholdersIn(text);
  const missing = declared.filter((name) => values[name] === undefined);
  const unused = Object.keys(values).filter((name) => !declared.includes(name));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `Definition placeholders do not match: missing values for [${missing.join(', ')}], no placeholder for [${unused.join(', ')}]`,
    );
  }
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => values[name] ?? '');
}
