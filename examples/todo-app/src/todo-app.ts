// The todo app as one function: a NestJS application on Fastify whose routes are guarded by the
// SDK's enforcement point, asking the decision point at `pdpUrl` with each caller's own token.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ZtClient } from '../../../packages/sdk/src/client';
import type { DecisionEvent } from '../../../packages/sdk/src/pep/enforcement-point';
import { ZtEnforcementModule, ZtGuard } from '../../../packages/sdk/src/pep/nest';
import { ProblemFilter } from './problem.filter';
import { todosController } from './todos.controller';
import { type Todo, TodoStore } from './todo-store';
import { UsersController } from './users.controller';

/** How to start the todo app. */
export interface TodoAppOptions {
  /** Base URL of the decision point (the standalone product: http://127.0.0.1:8080). */
  pdpUrl: string;
  /** Port to listen on (0: any free port). */
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Deadline of one decision (default 500 ms); past it the route fails closed with 503. */
  decisionTimeoutMs?: number;
  /** The todos to start with (default none). */
  todos?: readonly Todo[];
  /** Called with every decision, for the logs (decision id, traceparent, cached or not). */
  onDecision?: (event: DecisionEvent) => void;
}

/** A running todo app. */
export interface TodoApp {
  url: string;
  /** The app's todos (tests seed and inspect them). */
  todos: TodoStore;
  close(): Promise<void>;
}

/** Starts the todo app; resolves once it listens. */
export async function startTodoApp(options: TodoAppOptions): Promise<TodoApp> {
  const todos = new TodoStore(options.todos);
  // No token of its own: the enforcement point forwards each caller's bearer token, and the
  // decision point decides for the subject it verifies in it.
  const client = new ZtClient({ baseUrl: options.pdpUrl });

  @Module({
    imports: [
      ZtEnforcementModule.forRoot({
        client,
        timeoutMs: options.decisionTimeoutMs ?? 500,
        onDecision: options.onDecision,
      }),
    ],
    controllers: [UsersController, todosController(todos)],
    providers: [
      { provide: APP_GUARD, useClass: ZtGuard },
      { provide: APP_FILTER, useClass: ProblemFilter },
    ],
  })
  class TodoAppModule {}

  const app = await NestFactory.create<NestFastifyApplication>(TodoAppModule, new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen(options.port, host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    todos,
    async close() {
      await app.close();
      await client.close();
    },
  };
}
