// Small numeric helpers shared by the bench and the load suite: latency summaries and bounded
// concurrency. No dependencies, so the load suite runs without the bench's own packages.

/** The value at quantile `q` (0..1) of sorted numbers, nearest-rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** p50, p95, p99, mean and max of latencies in ms, rounded to 0.01. */
export function summarize(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (value) => (value === null ? null : Math.round(value * 100) / 100);
  const mean = sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : null;
  return {
    samples: sorted.length,
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    p99: round(quantile(sorted, 0.99)),
    mean: round(mean),
    max: round(sorted.at(-1) ?? null),
  };
}

/** Run `task` over `items` with at most `limit` at once. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let index = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (index < items.length) {
      const mine = index++;
      results[mine] = await task(items[mine], mine);
    }
  }));
  return results;
}
