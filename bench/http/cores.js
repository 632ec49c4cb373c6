// Where the HTTP benchmark's processes run. On a two-core machine the load generator and Kafka
// would otherwise take turns with a server's request thread, and the figures would say more about
// that contention than about the server. So each server's main thread (its request thread) runs
// on core 0, and the generator, the broker and policy-admin on core 1. A server's other threads
// (V8's garbage collection helpers, the decision log's producer thread at a lower priority) may
// run on either core: pinned beside the generator, a parallel collection waited for helpers that
// could not get the CPU, and its pauses grew to tens of milliseconds. Baseline and decision API
// are placed the same way. Without taskset or a second core, nothing is placed.
//
// The load generator is the instrument: a request it sends late counts as late (its latency runs
// from its due time), so while it measures open-loop latency it runs at a real-time priority
// (SCHED_FIFO) and the broker or policy-admin, on the same core, cannot hold it back. It is
// timer-driven, never a busy loop, so the others still get the core between its wake-ups. The
// servers keep their normal priority. Without the right to raise it (CAP_SYS_NICE), it stays at
// normal priority, and the run says so.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');

const REQUEST_CORE = '0';
const SHARED_CORE = '1';
const GENERATOR_PRIORITY = '20';

function taskset(args) {
  execFileSync('taskset', args, { stdio: 'ignore' });
}

function available() {
  if (os.cpus().length < 2) return false;
  try {
    taskset(['-p', String(process.pid)]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The placement of this run: `shared(pid)` puts every thread of a process on the shared core;
 * `server(pid)` gives a server's main thread (its thread id is its pid) the request core and
 * leaves its other threads where they are. `placed` says whether it did anything.
 */
function corePlacement() {
  const placed = available();
  return {
    placed,
    shared: (pid) => placed && taskset(['-a', '-p', '-c', SHARED_CORE, String(pid)]),
    server: (pid) => placed && taskset(['-p', '-c', REQUEST_CORE, String(pid)]),
  };
}

/**
 * The generator's real-time priority: `raise()` makes this process's main thread SCHED_FIFO,
 * `restore()` returns it to the normal policy. `raise()` says whether it could.
 */
function generatorPriority() {
  let raised = false;
  return {
    raise() {
      try {
        execFileSync('chrt', ['-f', '-p', GENERATOR_PRIORITY, String(process.pid)], { stdio: 'ignore' });
        raised = true;
      } catch {
        raised = false;
      }
      return raised;
    },
    restore() {
      if (raised) execFileSync('chrt', ['-o', '-p', '0', String(process.pid)], { stdio: 'ignore' });
      raised = false;
    },
  };
}

/** The Kafka broker's pid as scripts/kafka-local.sh records it, if it runs. */
function brokerPid(root) {
  try {
    const pid = Number(fs.readFileSync(`${root}/.infra/kafka/kafka.pid`, 'utf8').trim());
    return Number.isInteger(pid) && fs.existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { corePlacement, generatorPriority, brokerPid };
