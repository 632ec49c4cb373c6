import { RiskModel } from './risk-model';
import { createRiskModelServer } from './server';

const port = Number(process.env.RISK_MODEL_PORT ?? 8090);
const host = process.env.RISK_MODEL_HOST ?? '127.0.0.1';

const model = new RiskModel();
const server = createRiskModelServer(model);
server.listen(port, host, () => {
  process.stdout.write(
    `risk model (isolation forest, trained on ${model.trainedOn} healthy devices) listening; integrate http://${host}:${port}/score\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
