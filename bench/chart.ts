import type { BenchResults } from './results-schema';

/**
 * A small SVG: latency percentiles of the three designs, and cost per
 * million files (log scale: STANDARD and classic differ by orders of magnitude).
 */
const COLORS = { p50: '#4e79a7', p95: '#f28e2b', p99: '#e15759' } as const;
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(results: BenchResults): string {
  const width = 760;
  const { pipeline, floor, classic } = results.endToEnd;
  const designs: [string, typeof pipeline][] = [
    ['Pipeline', pipeline],
    ['Floor', floor],
    ['Classic Lambda', classic],
  ];
  const maxLatency = Math.max(...designs.flatMap(([, run]) => [run.latencyMs.p99]), 1);
  const parts: string[] = [];
  parts.push(
    `<text x="20" y="28" font-size="16" font-weight="bold">Latency, PutObject answered to record and notification (ms)</text>`,
  );
  designs.forEach(([name, run], row) => {
    const y = 50 + row * 60;
    parts.push(`<text x="20" y="${y + 22}" font-size="13">${name}</text>`);
    (['p50', 'p95', 'p99'] as const).forEach((percentile, index) => {
      const value = run.latencyMs[percentile];
      const barWidth = Math.max(1, (value / maxLatency) * 460);
      const barY = y + index * 15;
      parts.push(
        `<rect x="150" y="${barY}" width="${barWidth.toFixed(1)}" height="12" fill="${COLORS[percentile]}"/>`,
      );
      parts.push(
        `<text x="${(155 + barWidth).toFixed(1)}" y="${barY + 10}" font-size="11">${percentile} ${value}</text>`,
      );
    });
  });
  const cost = results.cost.perMillion;
  const costs: [string, number][] = [
    ['Pipeline, STANDARD', cost.standard.total],
    ['Pipeline, EXPRESS', cost.express.total],
    ['Classic Lambda', cost.classic.total],
  ];
  const top = 260;
  parts.push(
    `<text x="20" y="${top}" font-size="16" font-weight="bold">Cost per million files, USD (log scale), prices of ${escapeXml(results.cost.pricesAsOf)}</text>`,
  );
  const maxLog = Math.log10(Math.max(...costs.map(([, value]) => value), 1) * 10);
  costs.forEach(([name, value], row) => {
    const y = top + 20 + row * 28;
    const barWidth = Math.max(1, (Math.log10(Math.max(value, 0.01) * 100) / (maxLog + 2)) * 460);
    parts.push(`<text x="20" y="${y + 14}" font-size="13">${name}</text>`);
    parts.push(`<rect x="150" y="${y}" width="${barWidth.toFixed(1)}" height="18" fill="#59a14f"/>`);
    parts.push(
      `<text x="${(155 + barWidth).toFixed(1)}" y="${y + 14}" font-size="12">$${value.toFixed(2)}</text>`,
    );
  });
  const m = results.machine;
  parts.push(
    `<text x="20" y="${top + 115}" font-size="11" fill="#555">${escapeXml(`N=${results.n}, ${results.concurrency} clients; ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}; ${results.generatedAt}`)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + 130}" viewBox="0 0 ${width} ${top + 130}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
