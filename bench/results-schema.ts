import * as z from 'zod';
import { ENRICHMENT_STAGES, FUNCTION_NAMES } from '../statemachine/steps';

/** The shape of bench/results/latest.json; the bench validates what it writes, the smoke test what it reads. */
const latency = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() });
const run = z.object({
  objects: z.number().int().positive(),
  seconds: z.number().positive(),
  throughputPerSecond: z.number().positive(),
  latencyMs: latency,
});
const score = z.object({
  runs: z.number().int(),
  lost: z.number().int(),
  wrong: z.number().int(),
  duplicateEffects: z.number().int(),
});
const breakdown = z.record(z.string(), z.number().nonnegative());
const costed = z.object({ total: z.number().nonnegative(), breakdown });
const bundleMeasure = {
  bundleBytes: z.number().int().positive(),
  initMsMedian: z.number().positive(),
  initCpuMsMedian: z.number().positive(),
  largestInputs: z.array(z.object({ name: z.string(), bytes: z.number().int().nonnegative() })),
};

export const resultsSchema = z.object({
  schemaVersion: z.literal(2),
  generatedAt: z.string(),
  command: z.string(),
  machine: z.object({
    cores: z.number().int().positive(),
    cpu: z.string(),
    memoryGb: z.number().positive(),
    node: z.string(),
    platform: z.string(),
    /** The 1-minute load average when the run began: the machine is shared. */
    loadAverage: z.number().nonnegative(),
  }),
  n: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  endToEnd: z.object({
    pipeline: run,
    floor: run,
    classic: run,
    ratios: z.object({ throughputVsFloor: z.number().positive(), p50VsFloor: z.number().positive() }),
  }),
  correctness: z.array(z.object({ scenario: z.string(), pipeline: score, classic: score })).min(1),
  burst: z.object({
    objects: z.number().int().positive(),
    writers: z.number().int().positive(),
    seconds: z.number().positive(),
    uploadSeconds: z.number().positive(),
    peakRuntimeRssMb: z.number().positive(),
    peakTreeRssMb: z.number().positive(),
  }),
  // Each function as it ships (top-level fields) and as it was bundled before (the runtime's AWS SDK).
  coldStart: z
    .array(z.object({ handler: z.string(), ...bundleMeasure, before: z.object(bundleMeasure) }))
    .length(FUNCTION_NAMES.length),
  cost: z.object({
    pricesAsOf: z.string(),
    region: z.string(),
    perFile: z.object({
      transitions: z.number().positive(),
      lambdaInvocations: z.number().positive(),
      lambdaBilledMs: z.number().positive(),
      writeUnits: z.number().positive(),
      snsPublishes: z.number().nonnegative(),
      sqsRequests: z.number().positive(),
      s3Requests: z.number().positive(),
      executionSeconds: z.number().nonnegative(),
    }),
    perMillion: z.object({ standard: costed, express: costed, classic: costed }),
    // What each enrichment stage adds to the totals above.
    perStage: z
      .array(
        z.object({
          stage: z.string(),
          perFile: z.object({
            transitions: z.number().nonnegative(),
            lambdaInvocations: z.number().nonnegative(),
            lambdaBilledMs: z.number().nonnegative(),
          }),
          perMillion: z.object({ standard: costed, express: costed }),
        }),
      )
      .length(ENRICHMENT_STAGES.length),
  }),
  targets: z
    .array(z.object({ name: z.string(), target: z.string(), measured: z.number(), met: z.boolean() }))
    .min(1),
});

export type BenchResults = z.output<typeof resultsSchema>;
