import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { ObjectNotFoundError, PipelineError, SupersededError } from './errors';
import { parseInput } from './validation';

/** The part of a logger a step handler uses (Powertools' Logger satisfies it). */
export interface StepLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  /** Adds the Lambda context (request id, cold start, function name...) to every later line (Powertools). */
  addContext?(context: Context): void;
}

/** The part of a metrics client a step handler uses (Powertools' Metrics satisfies it). */
export interface StepMetrics {
  addMetric(name: string, unit: 'Count' | 'Bytes', value: number): void;
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): void;
  /** Emits the ColdStart metric, once per execution environment (Powertools). */
  captureColdStartMetric?(functionName?: string): void;
}

/** Fields every workflow step receives, for log correlation. */
interface Correlated {
  object?: { bucket: string; key: string; sequencer: string };
  executionArn?: string;
}

/** Options of {@link stepHandler}. */
export interface StepHandlerOptions<Schema extends z.ZodType, Result> {
  /** The step's name in messages, e.g. "describe-object". */
  readonly name: string;
  readonly schema: Schema;
  readonly logger: StepLogger;
  /**
   * Receives one count per error, named after it (e.g. `ThrottledError`), and
   * whatever `run` adds; published at the end of every invocation.
   * @default no metrics
   */
  readonly metrics?: StepMetrics;
  /** The step's logic, called with the validated input and a logger that correlates its lines. */
  readonly run: (input: z.output<Schema>, log: StepLogger) => Promise<Result>;
}

/** How loudly an error is logged: expected outcomes are information, faults are warnings, the rest errors. */
function logLevelOf(error: unknown): 'info' | 'warn' | 'error' {
  if (!(error instanceof PipelineError)) return 'error';
  if (error instanceof ObjectNotFoundError || error instanceof SupersededError) return 'info';
  return error.retryable ? 'warn' : 'error';
}

/** A logger that adds the same keys to every line. */
function withKeys(logger: StepLogger, keys: Record<string, unknown>): StepLogger {
  return {
    info: (message, ...extra) => logger.info(message, keys, ...extra),
    warn: (message, ...extra) => logger.warn(message, keys, ...extra),
    error: (message, ...extra) => logger.error(message, keys, ...extra),
  };
}

/**
 * Builds a thin Lambda handler for a workflow step: validates the input,
 * adds the Lambda context and the object and execution to every log line,
 * emits the cold-start metric, runs the logic, and logs
 * a thrown error before letting it reach Step Functions (whose Retry/Catch
 * match its name).
 *
 * The keys travel with each line rather than being appended to the shared
 * logger: the local runtime runs many invocations at once in one process.
 */
export function stepHandler<Schema extends z.ZodType, Result>(
  options: StepHandlerOptions<Schema, Result>,
): (event: unknown, context?: Context) => Promise<Result> {
  const { name, schema, logger, metrics, run } = options;
  return async (event: unknown, context?: Context) => {
    // In Lambda one invocation runs at a time per environment, so the context
    // belongs on the logger itself (Powertools' addContext); the local runtime
    // passes none and runs invocations side by side.
    if (context !== undefined) {
      logger.addContext?.(context);
      metrics?.captureColdStartMetric?.(context.functionName);
    }
    const correlated = (typeof event === 'object' && event !== null ? event : {}) as Correlated;
    const log = withKeys(logger, {
      step: name,
      bucket: correlated.object?.bucket,
      key: correlated.object?.key,
      sequencer: correlated.object?.sequencer,
      execution: correlated.executionArn?.split(':').at(-1),
    });
    try {
      return await run(parseInput(schema, event, `${name} input`), log);
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      log[logLevelOf(error)](`${name} ended with ${errorName}`, {
        errorName,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      metrics?.addMetric(errorName, 'Count', 1);
      throw error;
    } finally {
      // Publishing nothing makes Powertools log a warning on every invocation.
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/**
 * SDK client configuration of every workflow step: one attempt per call.
 * Retries belong to the workflow's Retry blocks, where each one shows in the
 * execution history, instead of hiding inside a Lambda invocation.
 */
export const SINGLE_ATTEMPT = { maxAttempts: 1 } as const;
