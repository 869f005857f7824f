import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** A Lambda handler as the steps export it. */
export type LambdaHandler = (event: unknown) => Promise<unknown>;

/** The input the `arn:aws:states:::lambda:invoke` integration sends. */
interface InvokeParameters {
  FunctionName: string;
  Payload?: unknown;
}

/** A Lambda-like error: what Step Functions sees when a function throws. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

type AnyState = { Type: string; Resource?: string; Branches?: { States: Record<string, AnyState> }[] };

/** Names of all Task states, including those inside Parallel branches. */
export function taskStateNames(states: Record<string, AnyState>): string[] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [name] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStateNames(branch.States)),
  ]);
}

/** Names of every state that can have a Retry (Task and Parallel), for `retryIntervalOverrides`. */
export function retryableStateNames(states: Record<string, AnyState>): string[] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' || state.Type === 'Parallel' ? [name] : []),
    ...(state.Branches ?? []).flatMap((branch) => retryableStateNames(branch.States)),
  ]);
}

/**
 * Local handlers for aws-local-stepfunctions that behave as the
 * `lambda:invoke` integration does: the handler receives the `Payload`, its
 * result comes back as `{ Payload, StatusCode }`, and a thrown error reaches
 * Retry/Catch with its `name` as the error and Lambda's JSON error document
 * (`errorType`, `errorMessage`, `trace`) as the cause.
 *
 * @param functions handler by function ARN (what the definition's FunctionName holds).
 */
export function lambdaInvokeHandlers(
  definition: StateMachineDefinition,
  functions: Readonly<Record<string, LambdaHandler>>,
): Record<string, (input: unknown) => Promise<unknown>> {
  const invoke = async (input: unknown) => {
    const { FunctionName, Payload } = input as InvokeParameters;
    const handler = functions[FunctionName];
    if (handler === undefined) {
      throw new LambdaFunctionError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${FunctionName} (known: ${Object.keys(functions).join(', ')})`,
      );
    }
    try {
      // A JSON round trip, as the real service serializes the payload both ways.
      const result = await handler(JSON.parse(JSON.stringify(Payload ?? {})));
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        Payload: JSON.parse(JSON.stringify(result ?? null)),
      };
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      const trace = error instanceof Error ? (error.stack ?? '').split('\n') : [];
      throw new LambdaFunctionError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
    }
  };
  const states = definition.States as unknown as Record<string, AnyState>;
  return Object.fromEntries(taskStateNames(states).map((name) => [name, invoke]));
}

/**
 * The real handler of a function (folder under functions/), loaded on first
 * use: the entry files read their configuration (environment) when loaded.
 */
export function loadHandler(folder: string): LambdaHandler {
  const module = require(`../functions/${folder}`) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') {
    throw new Error(`functions/${folder}/index.ts exports no handler`);
  }
  return module.handler;
}
