// The guarded application of the SDK guard benchmark: one Fastify server with the same route
// four times, bare and behind the SDK's Fastify hook (cached; uncached over HTTP; uncached over
// gRPC), so that all four run in the same process under the same conditions. Run as a child of
// run.js: PDP_URL, PDP_GRPC and PORT from the environment; prints "ready" when listening.
const path = require('node:path');
const fastify = require('fastify');

const SDK = path.join(__dirname, '..', '..', 'packages', 'sdk', 'dist', 'cjs');
const { ZtClient, EnforcementPoint } = require(path.join(SDK, 'index.js'));
const { grpcDecisions } = require(path.join(SDK, 'grpc-transport.js'));
const { authorizeHook } = require(path.join(SDK, 'pep', 'fastify.js'));

const http = new ZtClient({ baseUrl: process.env.PDP_URL });
const grpc = new ZtClient({
  baseUrl: process.env.PDP_URL,
  decisions: grpcDecisions({ address: process.env.PDP_GRPC }),
});
const rule = { action: 'read', resource: (request) => ({ type: 'todo', id: `todo-${request.params.id}` }) };
const guards = {
  cached: authorizeHook(new EnforcementPoint({ client: http }), rule),
  http: authorizeHook(new EnforcementPoint({ client: http, cache: false }), rule),
  grpc: authorizeHook(new EnforcementPoint({ client: grpc, cache: false }), rule),
};

const app = fastify({ logger: false });
const handler = async (request) => ({ id: request.params.id, title: 'buy milk', done: false });
app.get('/bare/todos/:id', handler);
for (const [name, preHandler] of Object.entries(guards))
  app.get(`/${name}/todos/:id`, { preHandler }, handler);

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
