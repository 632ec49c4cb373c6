// The todo app for humans: `npm run build`, then `node dist/examples/todo-app/src/main.js` with
// the product running (see ../README.md). One JSON line per decision on stdout.
import { DEMO_TODOS } from './demo-todos';
import { startTodoApp } from './todo-app';

function configuredPort(): number {
  const text = process.env.TODO_APP_PORT ?? '3001';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    process.stderr.write(`TODO_APP_PORT must be a port number from 0 to 65535, not "${text}"\n`);
    process.exit(1);
  }
  return port;
}

async function main(): Promise<void> {
  const pdpUrl = process.env.ZT_URL ?? 'http://127.0.0.1:8080';
  const app = await startTodoApp({
    pdpUrl,
    port: configuredPort(),
    host: process.env.TODO_APP_HOST ?? '127.0.0.1',
    todos: DEMO_TODOS,
    onDecision: (event) =>
      process.stdout.write(
        `${JSON.stringify({
          decision: event.decision,
          decision_id: event.decisionId,
          traceparent: event.traceparent,
          cached: event.cached,
          ...(event.error ? { error: event.error.message } : {}),
        })}\n`,
      ),
  });
  process.stdout.write(`todo app: ${app.url}, decisions from ${pdpUrl}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Answer what is in flight, then exit; a connection that will not drain does not keep it up.
      setTimeout(() => process.exit(0), 5000).unref();
      void app.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`todo app: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
