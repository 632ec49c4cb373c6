// The client program: `node main.js list` prints the operations it calls; `node main.js run
// <base-url>` (token in ZT_TOKEN) calls each of them once and prints what it saw, as JSON.
import { apiClient, EVERY_OPERATION, operationsOf, runEveryOperation } from './every-operation.js';

async function main(): Promise<void> {
  const [command, baseUrl] = process.argv.slice(2);
  if (command === 'list') {
    process.stdout.write(`${JSON.stringify(operationsOf(EVERY_OPERATION))}\n`);
    return;
  }
  const token = process.env.ZT_TOKEN;
  if (command !== 'run' || !baseUrl || !token) {
    throw new Error('usage: main.js list | ZT_TOKEN=<token> main.js run <base-url>');
  }
  const outcomes = await runEveryOperation(apiClient(baseUrl, token), {
    policyId: 'unknown',
    principalId: 'bob@company.com',
    deviceId: 'laptop-client-test',
    streamId: 'unknown',
    resource: { type: 'repo', id: 'gitlab.repo' },
  });
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
