import type { BenchResults } from './results-schema';

/** The results as text: a table for the terminal, Markdown for the README. */

const money = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(0)}`;

function rows(results: BenchResults): string[][] {
  const { pipeline, floor, classic } = results.endToEnd;
  const { standard, express } = results.cost.perMillion;
  return [
    ['Design', 'Objects/s', 'p50 ms', 'p95 ms', 'p99 ms', 'Cost per million files'],
    [
      'Pipeline (STANDARD)',
      String(pipeline.throughputPerSecond),
      String(pipeline.latencyMs.p50),
      String(pipeline.latencyMs.p95),
      String(pipeline.latencyMs.p99),
      money(standard.total),
    ],
    ['Pipeline (EXPRESS)', '', '', '', '', money(express.total)],
    [
      'Floor (necessary calls only)',
      String(floor.throughputPerSecond),
      String(floor.latencyMs.p50),
      String(floor.latencyMs.p95),
      String(floor.latencyMs.p99),
      '',
    ],
    [
      'Classic single Lambda',
      String(classic.throughputPerSecond),
      String(classic.latencyMs.p50),
      String(classic.latencyMs.p95),
      String(classic.latencyMs.p99),
      money(results.cost.perMillion.classic.total),
    ],
  ];
}

function machine(results: BenchResults): string {
  const { machine: m } = results;
  return `${m.cores} cores (${m.cpu}, load average ${m.loadAverage} at the start), ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; N=${results.n}, ${results.concurrency} concurrent clients; ${results.generatedAt}`;
}

export function renderTable(results: BenchResults): string {
  const table = rows(results);
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const out = [machine(results), '', ...table.map(line)];
  out.push('', 'Per million files, what each enrichment stage adds:');
  for (const stage of results.cost.perStage)
    out.push(
      `  ${stage.stage}: STANDARD ${money(stage.perMillion.standard.total)}, EXPRESS ${money(stage.perMillion.express.total)} (state transitions per file: ${stage.perFile.transitions})`,
    );
  out.push('', 'Targets:');
  for (const target of results.targets)
    out.push(
      `  ${target.met ? 'met    ' : 'NOT met'}  ${target.name}: ${target.measured} (${target.target})`,
    );
  return out.join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const table = rows(results);
  const md = (row: string[]) => `| ${row.join(' | ')} |`;
  const cost = results.cost.perMillion;
  const services = [
    ...new Set([
      ...Object.keys(cost.standard.breakdown),
      ...Object.keys(cost.express.breakdown),
      ...Object.keys(cost.classic.breakdown),
    ]),
  ];
  const cell = (breakdown: Record<string, number>, name: string) =>
    breakdown[name] === undefined ? '' : money(breakdown[name] ?? 0);
  return [
    `Measured with \`${results.command}\` on ${machine(results)}.`,
    '',
    md(table[0] ?? []),
    md((table[0] ?? []).map(() => '---')),
    ...table.slice(1).map(md),
    '',
    `Closed loop, ${results.concurrency} clients: each uploads an object, waits until it is recorded, uploads the next. Latency: from PutObject answered to the notification received (classic: to its PutItem done; floor: to its own notification after its calls). Pipeline throughput is ${results.endToEnd.ratios.throughputVsFloor}x the floor's, its p50 ${results.endToEnd.ratios.p50VsFloor}x.`,
    '',
    `Cost per million files, us-east-1 list prices as of ${results.cost.pricesAsOf} (bench/prices.json), from this run's counts per file: ${results.cost.perFile.transitions} state transitions, ${results.cost.perFile.lambdaInvocations} Lambda invocations (${results.cost.perFile.lambdaBilledMs} ms), ${results.cost.perFile.writeUnits} write units, ${results.cost.perFile.s3Requests} S3 reads, ${results.cost.perFile.sqsRequests} SQS requests.`,
    '',
    md(['Service', 'STANDARD', 'EXPRESS', 'Classic']),
    md(['---', '---', '---', '---']),
    ...services.map((name) =>
      md([
        name,
        cell(cost.standard.breakdown, name),
        cell(cost.express.breakdown, name),
        cell(cost.classic.breakdown, name),
      ]),
    ),
    md([
      '**Total**',
      `**${money(cost.standard.total)}**`,
      `**${money(cost.express.total)}**`,
      `**${money(cost.classic.total)}**`,
    ]),
    '',
    'What each enrichment stage adds to those totals (its Task and its Lambda; on STANDARD one state transition per file, plus one per retry; any S3 read of its own is in the S3 line above):',
    '',
    md([
      'Enrichment stage',
      'Transitions per file',
      'Invocations per file',
      'Billed ms per file',
      'STANDARD',
      'EXPRESS',
    ]),
    md(['---', '---', '---', '---', '---', '---']),
    ...results.cost.perStage.map((stage) =>
      md([
        stage.stage,
        String(stage.perFile.transitions),
        String(stage.perFile.lambdaInvocations),
        String(stage.perFile.lambdaBilledMs),
        money(stage.perMillion.standard.total),
        money(stage.perMillion.express.total),
      ]),
    ),
    '',
    md(['Delivery', 'Pipeline: lost / wrong / repeats', 'Classic: lost / wrong / repeats']),
    md(['---', '---', '---']),
    ...results.correctness.map((entry) =>
      md([
        entry.scenario,
        `${entry.pipeline.lost} / ${entry.pipeline.wrong} / ${entry.pipeline.duplicateEffects}`,
        `${entry.classic.lost} / ${entry.classic.wrong} / ${entry.classic.duplicateEffects}`,
      ]),
    ),
    '',
    `Cold starts: each function's bundle as CDK builds it (cdk/function-bundling.ts: the AWS SDK bundled) and its module init in a fresh Node process with source maps on, as deployed (median wall time; CPU time beside it, less moved by the machine's other load). "Before": the same code bundled as until issue 14, the AWS SDK left to the Lambda runtime (required here from node_modules) and the X-Ray SDK bundled; measured in the same run, interleaved.`,
    '',
    md([
      'Handler',
      'Bundle',
      'Module init (CPU)',
      'Before: bundle',
      'Before: init (CPU)',
      'Largest bundled packages',
    ]),
    md(['---', '---', '---', '---', '---', '---']),
    ...results.coldStart.map((cold) =>
      md([
        cold.handler,
        `${(cold.bundleBytes / 1024).toFixed(0)} KB`,
        `${cold.initMsMedian} ms (${cold.initCpuMsMedian} ms)`,
        `${(cold.before.bundleBytes / 1024).toFixed(0)} KB`,
        `${cold.before.initMsMedian} ms (${cold.before.initCpuMsMedian} ms)`,
        cold.largestInputs
          .slice(0, 3)
          .map((input) => `${input.name} ${(input.bytes / 1024).toFixed(0)} KB`)
          .join(', '),
      ]),
    ),
    '',
    `Burst (open loop, for capacity and memory): ${results.burst.objects} uploads from ${results.burst.writers} clients as fast as they go, uploaded in ${results.burst.uploadSeconds} s, all recorded after ${results.burst.seconds} s (${Math.round(results.burst.objects / results.burst.seconds)} objects/s); peak resident memory ${results.burst.peakRuntimeRssMb} MB for the runtime, ${results.burst.peakTreeRssMb} MB with DynamoDB Local and fauxqs.`,
    '',
    md(['Target', 'Measured', 'Met']),
    md(['---', '---', '---']),
    ...results.targets.map((target) =>
      md([`${target.name} (${target.target})`, String(target.measured), target.met ? 'yes' : '**no**']),
    ),
    '',
  ].join('\n');
}
