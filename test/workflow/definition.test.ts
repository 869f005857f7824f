import validator from 'asl-validator';
import { PIPELINE_ERROR_NAMES } from '../../functions/core/errors';
import { fillPlaceholders, placeholdersIn, readDefinitionText } from '../../statemachine/definition';
import {
  CATCH_MAIN_PATH,
  CATCH_OBJECT_READER,
  EXPRESS_MAX_SECONDS,
  TASK_RETRY,
  TASK_TIMEOUT_SECONDS,
  worstCaseTaskSeconds,
} from '../../statemachine/policy';
import { ENRICHMENT_STAGES, WORKFLOW_STEPS } from '../../statemachine/steps';
import { functionArn, loadDefinition } from './harness';

type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
};
type State = {
  Type: string;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[] }[];
  Branches?: { States: Record<string, State> }[];
};

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch.States)),
  ]);
}

const definition = loadDefinition() as unknown as { States: Record<string, State> };
const tasks = allStates(definition.States).filter(([, state]) => state.Type === 'Task');
/** The Task states of the enrichment stages (they write under $.facts.enrichment). */
const stageStates = tasks
  .filter(([, state]) =>
    ENRICHMENT_STAGES.some(
      (stage) =>
        (state as { ResultPath?: string }).ResultPath === `$.facts.enrichment.${stage.enrichmentKey}`,
    ),
  )
  .map(([name]) => name);

describe('the definition file', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    const result = validator(loadDefinition());
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('declares exactly the function placeholders of the step registry', () => {
    expect(placeholdersIn(readDefinitionText()).sort()).toEqual(
      WORKFLOW_STEPS.map((step) => step.placeholder).sort(),
    );
  });

  it('refuses to be filled with a missing or unknown placeholder', () => {
    expect(() => fillPlaceholders(readDefinitionText(), { Nope: 'x' })).toThrow(
      /missing values for \[DescribeObjectFunctionArn, .*\], no placeholder for \[Nope\]/,
    );
  });

  it.each(tasks)('%s has the canonical Retry and timeout (statemachine/policy.ts)', (_name, state) => {
    expect(state.Retry).toEqual(TASK_RETRY);
    expect((state as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(TASK_TIMEOUT_SECONDS);
  });

  it.each(tasks)('%s has the canonical Catch of its place in the workflow', (name, state) => {
    // Every Task of describe-object (whatever its mode) and every enrichment stage reads the object.
    const describers = tasks
      .filter(
        ([, task]) =>
          (task as { Parameters?: { FunctionName?: string } }).Parameters?.FunctionName ===
          functionArn('describe-object'),
      )
      .map(([taskName]) => taskName);
    const readers = [...describers, ...stageStates];
    expect(state.Catch).toEqual(readers.includes(name) ? CATCH_OBJECT_READER : CATCH_MAIN_PATH);
  });

  it.each(tasks)(
    '%s retries throttling and transient faults with backoff, full jitter and a max delay',
    (_name, state) => {
      const retried = (error: string) => state.Retry?.find((retrier) => retrier.ErrorEquals.includes(error));
      for (const error of [
        'ThrottledError',
        'TransientError',
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
      ]) {
        const retrier = retried(error);
        expect(retrier).toMatchObject({
          JitterStrategy: 'FULL',
          BackoffRate: expect.any(Number),
          MaxDelaySeconds: expect.any(Number),
        });
        expect(retrier?.MaxAttempts).toBeGreaterThan(1);
      }
    },
  );

  it.each(tasks)('%s never retries permanent errors or expected endings', (_name, state) => {
    const retriedErrors = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
    for (const error of [
      'PermanentError',
      'InvalidInputError',
      'ObjectNotFoundError',
      'SupersededError',
      'States.ALL',
    ]) {
      expect(retriedErrors).not.toContain(error);
    }
  });

  it('names only errors the steps can throw (or Step Functions and Lambda raise)', () => {
    const named = allStates(definition.States).flatMap(([, state]) => [
      ...(state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals),
      ...(state.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals),
    ]);
    const ours = named.filter((name) => !/^(States|Lambda|Sandbox|Runtime)\./.test(name));
    for (const name of ours) expect(PIPELINE_ERROR_NAMES).toContain(name);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: a redrive resumes at
  // the unsuccessful state. A catch-all would route every failure into states after the Task (a Fail
  // state at the end), and the redrive would re-run those instead of the step that failed.
  it('catches no unexpected failure anywhere, so an execution fails at the Task that failed and Redrive re-runs it', () => {
    const states = allStates(definition.States);
    for (const [, state] of states) {
      expect((state.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals)).not.toContain('States.ALL');
      expect((state.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals)).not.toContain(
        'States.TaskFailed',
      );
    }
    expect(states.filter(([, state]) => state.Type === 'Fail')).toEqual([]);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html: an EXPRESS
  // execution lasts at most five minutes.
  it("fits one Task's whole retry budget (every attempt timing out, every backoff at its longest) within an EXPRESS execution's five minutes", () => {
    // 15 attempts of 13 s; waits of 1, 2, 4, 8, then 10 s (8 throttling retries) and 1, 2, 4, 8, 10, 10 s (6 others).
    expect(worstCaseTaskSeconds()).toBe(15 * 13 + (1 + 2 + 4 + 8 + 10 * 4) + (1 + 2 + 4 + 8 + 10 + 10));
    expect(worstCaseTaskSeconds()).toBeLessThan(EXPRESS_MAX_SECONDS);
    // What the budget was before: 6 retries of a 60 s Task (behind a 30 s function) alone overran the limit.
    expect(
      worstCaseTaskSeconds([{ IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 20 }], 60),
    ).toBeGreaterThan(EXPRESS_MAX_SECONDS);
  });
});
