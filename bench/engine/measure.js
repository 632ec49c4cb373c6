// Latency percentiles and throughput of a synchronous call, measured in one loop.
const { performance } = require('node:perf_hooks');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Calls fn(input) over the inputs, round-robin, after a warm-up, until `minCalls` calls and
 * `minMs` milliseconds have passed (or `maxMs`). Returns µs percentiles and calls per second.
 */
function measure(fn, inputs, { minCalls = 20000, minMs = 1000, maxMs = 8000, warmup = 2000 } = {}) {
  const warmupEnd = performance.now() + 1000;
  for (let i = 0; i < warmup && performance.now() < warmupEnd; i++) fn(inputs[i % inputs.length]);
  const samples = [];
  const start = performance.now();
  let calls = 0;
  for (;;) {
    const t0 = performance.now();
    fn(inputs[calls % inputs.length]);
    samples.push(performance.now() - t0);
    calls++;
    const elapsed = performance.now() - start;
    if ((calls >= minCalls && elapsed >= minMs) || elapsed >= maxMs) break;
  }
  const elapsed = performance.now() - start;
  samples.sort((a, b) => a - b);
  return {
    calls,
    p50us: percentile(samples, 50) * 1000,
    p99us: percentile(samples, 99) * 1000,
    opsPerSec: calls / (elapsed / 1000),
  };
}

module.exports = { measure };
