/** Summary of a series of timings, in milliseconds. */
export interface Summary {
  runs: number;
  median: number;
  p90: number;
  min: number;
}

/** Median, 90th percentile and minimum of `samples` (ms). */
export function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { runs: sorted.length, median: at(0.5), p90: at(0.9), min: sorted[0] ?? Number.NaN };
}

/** Times `fn` `runs` times after `warmup` untimed runs. */
export async function timeRuns(runs: number, fn: () => Promise<void> | void, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

/** Prints rows as an aligned table; summaries are in ms, shown in `unit` (µs for sub-millisecond round trips). */
export function printTable(title: string, rows: { name: string; summary?: Summary; note?: string }[], unit: 'ms' | 'µs' = 'ms'): void {
  console.log(`\n${title}`);
  console.log(`${'what'.padEnd(44)} ${'median'.padStart(9)} ${'p90'.padStart(9)} ${'min'.padStart(9)} runs`);
  for (const { name, summary, note } of rows) {
    if (!summary) {
      console.log(`${name.padEnd(44)} ${note ?? 'skipped'}`);
      continue;
    }
    const show = (v: number): string => (unit === 'ms' ? `${v.toFixed(1)}ms` : `${(v * 1000).toFixed(0)}µs`).padStart(9);
    console.log(
      `${name.padEnd(44)} ${show(summary.median)} ${show(summary.p90)} ${show(summary.min)} ${summary.runs}${note ? `  ${note}` : ''}`,
    );
  }
}
