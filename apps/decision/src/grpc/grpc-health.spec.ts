import { Logger } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReadinessRegistry } from '@zt/observability';
import { protoPath } from 'grpc-health-check';
import { GrpcHealth } from './grpc-health';

type HealthClient = grpc.Client & {
  Check(
    request: { service: string },
    callback: (e: grpc.ServiceError | null, r: { status: string }) => void,
  ): void;
};

describe('GrpcHealth', () => {
  let server: grpc.Server;
  let client: HealthClient;
  let health: GrpcHealth;
  let ready = false;

  beforeAll(async () => {
    const readiness = new ReadinessRegistry();
    readiness.register('test', () => Promise.resolve({ ready }));
    server = new grpc.Server();
    health = new GrpcHealth(['envoy.service.auth.v3.Authorization'], readiness, new Logger('test'));
    health.start(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const Health = (
      grpc.loadPackageDefinition(
        protoLoader.loadSync(protoPath, { keepCase: true, enums: String }),
      ) as unknown as {
        grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
      }
    ).grpc.health.v1.Health;
    client = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as HealthClient;
  });

  afterAll(() => {
    health.stop();
    client.close();
    server.forceShutdown();
  });

  const status = (service: string) =>
    new Promise<string>((resolve, reject) =>
      client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
    );

  /** Waits (bounded) until the service reports `expected`; health follows readiness every 2 s. */
  async function until(service: string, expected: string): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const now = await status(service);
      if (now === expected) return now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status(service);
  }

  it('answers NOT_SERVING while the process is not ready, for the server and each service', async () => {
    expect(await status('')).toBe('NOT_SERVING');
    expect(await status('envoy.service.auth.v3.Authorization')).toBe('NOT_SERVING');
  });

  it('turns SERVING once ready, and NOT_SERVING again when stopped', async () => {
    ready = true;
    expect(await until('envoy.service.auth.v3.Authorization', 'SERVING')).toBe('SERVING');
    expect(await status('')).toBe('SERVING');
    health.stop();
    expect(await status('')).toBe('NOT_SERVING');
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(status('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
