// The machine's memory latency at the moment of the run: dependent random reads over a buffer
// (each read's address comes from the previous one, so no prefetcher can help). Evaluating a
// large policy set is bound by such reads, and on a shared cloud VM they vary several-fold with
// what the neighbours do, so the engine figures are reported with this baseline beside them.

/** Nanoseconds per dependent random read over a buffer of `megabytes` (one random cycle). */
function memoryLatencyNs(megabytes, steps = 2_000_000) {
  const n = (megabytes * 1024 * 1024) >> 2;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[order[i]] = order[(i + 1) % n];
  let at = 0;
  for (let i = 0; i < 100_000; i++) at = next[at];
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) at = next[at];
  const ns = Number(process.hrtime.bigint() - start) / steps;
  // `at` is used so the loop cannot be optimised away.
  return at >= 0 ? ns : Number.NaN;
}

module.exports = { memoryLatencyNs };
