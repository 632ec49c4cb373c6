// Open-loop load at a constant arrival rate: request k is due at start + k / rate whatever the
// server does, and its latency runs from that due time to the end of its answer. A server that
// stalls therefore shows the stall in every request that fell due meanwhile (no coordinated
// omission). autocannon's `overallRate` paces each connection by a per-second quota, which sends
// bursts at every second boundary: even a bare Fastify handler then shows a p99 of 200 ms at
// 3,000 requests/s on this machine, so its figures say more about the pacing than the server.
//
// The generator shares two cores with the server it measures, so its own pauses count against
// the server: it writes one prepared request buffer on plain keep-alive sockets and reads only
// the status line and Content-Length of each answer, allocating almost nothing per request
// (an HTTP client library's per-request objects made its own garbage collections show up as
// server latency). Its event-loop delay is reported beside the figures.
const net = require('node:net');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const hdr = require('hdr-histogram-js');

// The generator wakes every millisecond and sends what fell due: a 1 ms granularity, never a
// busy loop.
const TICK_MS = 1;
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = 'content-length:';

/** The whole request as bytes, built once: every request of a run is the same. */
function requestBytes(target, headers, body) {
  const payload = Buffer.from(body);
  const lines = [`POST ${target.pathname}${target.search} HTTP/1.1`, `host: ${target.host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${payload.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n')), payload]);
}

/**
 * Reads one HTTP/1.1 answer at a time from a connection's bytes: the status, then the body by
 * its Content-Length. Calls `done(status)` per complete answer.
 */
function answerReader(done) {
  let pending = null;
  return (chunk) => {
    let data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    for (;;) {
      const headerEnd = data.indexOf(HEADER_END);
      if (headerEnd < 0) break;
      const head = data.latin1Slice(0, headerEnd).toLowerCase();
      const at = head.indexOf(CONTENT_LENGTH);
      if (at < 0) throw new Error('an answer without content-length');
      const length = parseInt(head.slice(at + CONTENT_LENGTH.length), 10);
      const end = headerEnd + HEADER_END.length + length;
      if (data.length < end) break;
      done(parseInt(head.slice(9, 12), 10));
      data = data.subarray(end);
    }
    if (data.length > 0) pending = Buffer.from(data);
  };
}

function connect(target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends POST requests at `rate` per second for `seconds` over up to `connections` keep-alive
 * connections; a request that falls due while all are busy waits for the first free one (its
 * wait counts). Resolves with latency percentiles (ms, from the due time), the achieved rate,
 * the count of failed requests (transport errors or a status other than 200) and the
 * generator's own event-loop delay (p99 and max, ms). For overload runs, the answers are also
 * split: `ok` (200) with their own percentiles (`okP50`, `okP99`), `shed` (503) with theirs, and
 * `sentRate`, the rate at which requests actually left (below `rate` when the generator, or the
 * connections, could not keep up).
 */
async function openLoop({ url, headers, body, rate, seconds, connections = 64 }) {
  const target = new URL(url);
  const bytes = requestBytes(target, headers, body);
  const build = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  const histogram = build();
  const okHistogram = build();
  const shedHistogram = build();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const total = Math.round(rate * seconds);
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(target)));
  const idle = [...sockets];
  const waiting = []; // due times (ns) of requests that found no free connection, oldest first
  let waitingHead = 0;
  let sent = 0;
  let done = 0;
  let failed = 0;
  let shed = 0;
  let lastSent = 0n;
  let start = 0n;
  let lastEnd = 0n;
  loopDelay.enable();
  await new Promise((resolve) => {
    const finish = (due, status) => {
      const end = process.hrtime.bigint();
      const us = Math.max(1, Number((end - due) / 1000n));
      histogram.recordValue(us);
      if (status === 200) okHistogram.recordValue(us);
      else failed += 1;
      if (status === 503) {
        shed += 1;
        shedHistogram.recordValue(us);
      }
      lastEnd = end;
      done += 1;
      if (done === total) resolve();
    };
    const send = (socket, due) => {
      socket.due = due;
      socket.write(bytes);
      lastSent = process.hrtime.bigint();
    };
    for (const socket of sockets) {
      socket.on(
        'data',
        answerReader((status) => {
          finish(socket.due, status);
          if (waitingHead < waiting.length) send(socket, waiting[waitingHead++]);
          else idle.push(socket);
        }),
      );
      socket.on('error', () => undefined);
      socket.on('close', () => {
        // A request in flight on a closed connection failed; the connection is not reused.
        if (socket.due !== undefined && !idle.includes(socket)) finish(socket.due, 0);
        const at = idle.indexOf(socket);
        if (at >= 0) idle.splice(at, 1);
      });
    }
    start = process.hrtime.bigint();
    const tick = () => {
      const elapsed = process.hrtime.bigint() - start;
      const due = Math.min(total, Math.floor((Number(elapsed) * rate) / 1e9) + 1);
      for (; sent < due; sent++) {
        const dueTime = start + BigInt(Math.round((sent * 1e9) / rate));
        const socket = idle.pop();
        if (socket) send(socket, dueTime);
        else waiting.push(dueTime);
      }
      if (sent < total) setTimeout(tick, TICK_MS);
    };
    tick();
  });
  loopDelay.disable();
  for (const socket of sockets) socket.removeAllListeners('close').destroy();
  const ms = (p, h = histogram) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
  const runSeconds = Number(lastEnd - start) / 1e9;
  return {
    rate,
    rps: Math.round(total / (Number(lastEnd - start) / 1e9)),
    p50: ms(50),
    p99: ms(99),
    p999: ms(99.9),
    max: histogram.maxValue / 1000,
    failed,
    generatorDelayP99: loopDelay.percentile(99) / 1e6,
    generatorDelayMax: loopDelay.max / 1e6,
    ok: total - failed,
    okRps: Math.round((total - failed) / runSeconds),
    okP50: ms(50, okHistogram),
    okP99: ms(99, okHistogram),
    shed,
    shedP99: ms(99, shedHistogram),
    sentRate: Math.round(total / (Number(lastSent - start) / 1e9)),
  };
}

module.exports = { openLoop };
