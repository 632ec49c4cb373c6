import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Delete, Get, Module, Req } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import type { Decision } from '../api-types.js';
import { type DecisionSource, EnforcementPoint } from './enforcement-point.js';
import { authorize } from './express.js';
import { authorizeHook, type FastifyLikeRequest } from './fastify.js';
import { Authorize, type NestHttpRequest, ZtEnforcementModule, ZtGuard } from './nest.js';

// The three adapters on one core: each must pass an allowed request (with req.zt), refuse a
// denied one with 403 problem+json and a require_mfa one with the step-up challenge.
const decisionFor = (id: string): Decision => ({
  decision: id === 'mine' ? 'allow' : id === 'secure' ? 'require_mfa' : 'deny',
  decision_id: `dec-${id}`,
  revision: 1,
  decidingPolicies: [],
  reasons: [],
  userReasons: id === 'mine' ? [] : ['Not yours.'],
  obligations: [],
});
const pdp: DecisionSource = { decide: (request) => Promise.resolve(decisionFor(request.resource.id)) };
const AUTH = { authorization: 'Bearer user' };

async function expectEnforced(base: string): Promise<void> {
  const allowed = await fetch(`${base}/todos/mine`, { method: 'DELETE', headers: AUTH });
  expect(allowed.status).toBe(200);
  expect(await allowed.json()).toMatchObject({ decisionId: 'dec-mine' });
  const denied = await fetch(`${base}/todos/theirs`, { method: 'DELETE', headers: AUTH });
  expect(denied.status).toBe(403);
  expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await denied.json()).toMatchObject({ code: 'ACCESS_DENIED', user_reasons: ['Not yours.'] });
  const stepUp = await fetch(`${base}/todos/secure`, { method: 'DELETE', headers: AUTH });
  expect(stepUp.status).toBe(401);
  expect(stepUp.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
}

describe('the enforcement point adapters', () => {
  it('Express-style middleware (on a plain Node server)', async () => {
    const pep = new EnforcementPoint({ client: pdp });
    type ExpressReq = IncomingMessage & { params: Record<string, string>; zt?: NestHttpRequest['zt'] };
    const middleware = authorize(pep, {
      action: 'delete',
      resource: (req: ExpressReq) => ({ type: 'todo', id: req.params.id }),
    });
    const server: Server = createServer((req, res) => {
      const request: ExpressReq = Object.assign(req, { params: { id: (req.url ?? '').split('/')[2] } });
      middleware(request, res, () => res.end(JSON.stringify({ decisionId: request.zt?.decisionId })));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      await expectEnforced(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('Fastify preHandler hook', async () => {
    const pep = new EnforcementPoint({ client: pdp });
    const app = Fastify();
    app.delete<{ Params: { id: string } }>(
      '/todos/:id',
      {
        preHandler: authorizeHook(pep, {
          action: 'delete',
          resource: (req: FastifyLikeRequest & { params: { id: string } }) => ({
            type: 'todo',
            id: req.params.id,
          }),
        }),
      },
      (request) => ({ decisionId: (request as { zt?: NestHttpRequest['zt'] }).zt?.decisionId }),
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await expectEnforced(base);
    } finally {
      await app.close();
    }
  });

  it('NestJS guard with @Authorize', async () => {
    @Controller('todos')
    class TodosController {
      @Delete(':id')
      @Authorize('delete', (req) => ({ type: 'todo', id: req.params.id }))
      remove(@Req() req: NestHttpRequest) {
        return { decisionId: req.zt?.decisionId };
      }

      @Get('open')
      open() {
        return { open: true };
      }
    }
    @Module({
      imports: [ZtEnforcementModule.forRoot({ client: pdp })],
      controllers: [TodosController],
      providers: [{ provide: APP_GUARD, useClass: ZtGuard }],
    })
    class AppModule {}
    const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    try {
      const base = await app.getUrl();
      await expectEnforced(base.replace('[::1]', '127.0.0.1'));
      expect((await fetch(`${base}/todos/open`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
