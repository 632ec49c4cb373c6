// Open-loop load at a constant arrival rate: request k is due at start + k / rate whatever the
// server does, and its latency runs from that due time to the end of its answer. A server that
// stalls therefore shows the stall in every request that fell due meanwhile (no coordinated
// omission). autocannon's `overallRate` paces each connection by a per-second quota, which sends
// bursts at every second boundary: even a bare Fastify handler then shows a p99 of 200 ms at
// 3,000 requests/s on this machine, so its figures say more about the pacing than the server.
const { Pool } = require('undici');
const hdr = require('hdr-histogram-js');

// The generator wakes every millisecond and sends what fell due: a 1 ms granularity, never a
// busy loop (the generator shares two cores with the server it measures).
const TICK_MS = 1;

/**
 * Sends POST requests at `rate` per second for `seconds` over up to `connections` keep-alive
 * connections. Resolves with latency percentiles (ms, from the due time), the achieved rate and
 * the count of failed requests (transport errors or a status other than 200).
 */
async function openLoop({ url, headers, body, rate, seconds, connections = 64 }) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  const total = Math.round(rate * seconds);
  const start = process.hrtime.bigint();
  const dueAt = (k) => start + BigInt(Math.round((k * 1e9) / rate));
  let sent = 0;
  let done = 0;
  let failed = 0;
  let lastEnd = start;
  await new Promise((resolve) => {
    const finish = (due, ok) => {
      const end = process.hrtime.bigint();
      histogram.recordValue(Math.max(1, Number((end - due) / 1000n)));
      if (!ok) failed += 1;
      if (end > lastEnd) lastEnd = end;
      done += 1;
      if (done === total) resolve();
    };
    const tick = () => {
      const elapsed = process.hrtime.bigint() - start;
      const due = Math.min(total, Math.floor((Number(elapsed) * rate) / 1e9) + 1);
      for (; sent < due; sent++) {
        const dueTime = dueAt(sent);
        pool
          .request({ path: `${target.pathname}${target.search}`, method: 'POST', headers, body })
          .then(async (response) => {
            await response.body.dump();
            finish(dueTime, response.statusCode === 200);
          })
          .catch(() => finish(dueTime, false));
      }
      if (sent < total) setTimeout(tick, TICK_MS);
    };
    tick();
  });
  await pool.close();
  const ms = (p) => histogram.getValueAtPercentile(p) / 1000;
  return {
    rate,
    rps: Math.round(total / (Number(lastEnd - start) / 1e9)),
    p50: ms(50),
    p99: ms(99),
    p999: ms(99.9),
    max: histogram.maxValue / 1000,
    failed,
  };
}

module.exports = { openLoop };
