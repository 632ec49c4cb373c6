// The baseline: a bare Fastify handler that parses the same JSON body and answers a decision-
// shaped JSON, with nothing behind it. Whatever the decision API costs beyond this is ours.
const Fastify = require('fastify');

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ ready: true }));
app.post('/v1/zt-policy/decisions', async (request) => ({
  decision: 'allow',
  resource: request.body?.resource?.id,
}));
app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' }).catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
