import { readdirSync, readFileSync } from 'node:fs';

/** Percentile of a list (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencyOf(values: readonly number[]): Latency {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: percentile(values, 100),
  };
}

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** Samples the resident memory of a process and of its whole tree, keeping the peaks (Linux /proc). */
export function memorySampler(pid: number, intervalMs = 250) {
  let peakProcessMb = 0;
  let peakTreeMb = 0;
  const sample = () => {
    const tree = [pid];
    for (let index = 0; index < tree.length; index += 1) tree.push(...children(tree[index] ?? 0));
    const own = rssKb(pid) / 1024;
    const all = tree.reduce((sum, member) => sum + rssKb(member), 0) / 1024;
    peakProcessMb = Math.max(peakProcessMb, own);
    peakTreeMb = Math.max(peakTreeMb, all);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakProcessMb: Math.round(peakProcessMb), peakTreeMb: Math.round(peakTreeMb) };
    },
  };
}
