import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { placeholdersIn, readDefinitionText } from '../../statemachine/definition';
import { ENRICHMENT_STAGES, FUNCTION_NAMES, STARTER, WORKFLOW_STEPS } from '../../statemachine/steps';

type Task = {
  Type: string;
  Next?: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
  ResultPath?: string;
};
const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');
const text = readDefinitionText();
const states = (JSON.parse(text) as { States: Record<string, Task> }).States;
const tasksOf = (placeholder: string) =>
  Object.entries(states).filter(([, state]) => state.Parameters?.FunctionName === `\${${placeholder}}`);

/** The registry (statemachine/steps.ts) is the one list of steps: every counterpart of an entry exists, and nothing exists without an entry. */
describe('the step registry', () => {
  it('has an entry for every function folder, and a folder with an index.ts for every entry', () => {
    const folders = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(FUNCTIONS_DIR, entry.name, 'index.ts')))
      .map((entry) => entry.name);
    expect([...FUNCTION_NAMES].sort()).toEqual(folders.sort());
    expect(FUNCTION_NAMES).toContain(STARTER);
  });

  it('has an entry for every placeholder of the definition, and a placeholder for every entry', () => {
    expect(WORKFLOW_STEPS.map((step) => step.placeholder).sort()).toEqual(placeholdersIn(text).sort());
  });

  it.each(WORKFLOW_STEPS.map((step) => [step.folder, step] as const))(
    '%s is invoked by at least one Task of the definition',
    (_folder, step) => {
      expect(tasksOf(step.placeholder).length).toBeGreaterThan(0);
    },
  );

  it.each(ENRICHMENT_STAGES.map((stage) => [stage.folder, stage] as const))(
    'enrichment stage %s has one Task that follows the stage contract',
    (_folder, stage) => {
      const tasks = tasksOf(stage.placeholder);
      expect(tasks).toHaveLength(1);
      const [, task] = tasks[0] ?? [];
      expect(task?.ResultPath).toBe(`$.facts.enrichment.${stage.enrichmentKey}`);
      expect(task?.Parameters?.Payload).toEqual({
        'object.$': '$.object',
        'description.$': '$.facts.description',
        'sample.$': '$.facts.sample',
        'enrichment.$': '$.facts.enrichment',
        'executionArn.$': '$$.Execution.Id',
      });
    },
  );

  it('chains the enrichment stages in registry order, from DescribeObject to WriteMetadata', () => {
    const stateOf = (placeholder: string) => tasksOf(placeholder)[0]?.[0];
    const chain: string[] = [];
    for (let name = states.DescribeObject?.Next; name !== undefined && name !== 'WriteMetadata'; ) {
      chain.push(name);
      name = states[name]?.Next;
    }
    expect(chain).toEqual(ENRICHMENT_STAGES.map((stage) => stateOf(stage.placeholder)));
  });
});
