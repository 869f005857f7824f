import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENRICHMENT_STAGES, type StepName, WORKFLOW_STEPS } from './steps';

/**
 * The workflow definition file: plain Amazon States Language, with one
 * `${...FunctionArn}` placeholder per Lambda step (see steps.ts). The CDK
 * stack, the workflow tests and the local runtime all load this one file.
 */
export const DEFINITION_FILE = join(__dirname, 'metadata-pipeline.asl.json');

/** The definition's text, placeholders unfilled. */
export function readDefinitionText(): string {
  return readFileSync(DEFINITION_FILE, 'utf8');
}

/** Every `${Name}` placeholder in a text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map(([, name]) => name ?? ''))];
}

/**
 * The value of each step's placeholder, from a function giving each step's
 * ARN (a CDK token in the stack, a local ARN in the runtime and the tests):
 * CDK's `definitionSubstitutions`.
 */
export function definitionSubstitutions(functionArnOf: (step: StepName) => string): Record<string, string> {
  return Object.fromEntries(WORKFLOW_STEPS.map((step) => [step.placeholder, functionArnOf(step.folder)]));
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

/**
 * The definition, ready to run: the file with each step's placeholder filled
 * with its function's ARN. The one loader of the local runtime and the tests.
 */
export function loadDefinition<Definition = Record<string, unknown>>(
  functionArnOf: (step: StepName) => string,
): Definition {
  return JSON.parse(
    fillPlaceholders(readDefinitionText(), definitionSubstitutions(functionArnOf)),
  ) as Definition;
}

/**
 * The names of the enrichment stages' Task states, in registry order: the
 * Task whose ResultPath is each stage's `$.facts.enrichment.<key>`. Tests and
 * tools list a path's states with this, so that adding a stage changes no list.
 */
export function enrichmentStateNames(): string[] {
  const states = (JSON.parse(readDefinitionText()) as { States: Record<string, { ResultPath?: string }> })
    .States;
  return ENRICHMENT_STAGES.map((stage) => {
    const found = Object.entries(states).find(
      ([, state]) => state.ResultPath === `$.facts.enrichment.${stage.enrichmentKey}`,
    );
    if (found === undefined) throw new Error(`No Task writes $.facts.enrichment.${stage.enrichmentKey}`);
    return found[0];
  });
}
