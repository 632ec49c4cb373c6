import { RiskModel } from './risk-model';
import { createRiskModelServer } from './server';

/** RISK_MODEL_PORT, checked once at boot: a typo must stop the model, not bind a random port. */
function configuredPort(): number {
  const text = process.env.RISK_MODEL_PORT ?? '8090';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    process.stderr.write(`RISK_MODEL_PORT must be a port number from 0 to 65535, not "${text}"\n`);
    process.exit(1);
  }
  return port;
}

const port = configuredPort();
const host = process.env.RISK_MODEL_HOST ?? '127.0.0.1';

const model = new RiskModel();
const server = createRiskModelServer(model);
server.on('error', (error) => {
  process.stderr.write(`risk model: cannot listen on ${host}:${port}: ${error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/score`;
  process.stdout.write(
    `risk model: isolation forest trained on ${model.trainedOn} healthy devices; integrate ${url}\n`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Stop accepting, drop idle keep-alive sockets, and exit once requests in flight are answered.
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
