import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { Authorize, type NestHttpRequest } from '../../../packages/sdk/src/pep/nest';
import { callerOf } from './caller';
import { notFound } from './problem';
import { ACTIONS, ownedTodoResource, todoListResource } from './routes';
import { newTodoBody, todoChangeBody } from './todo-body';
import type { Todo, TodoStore } from './todo-store';
import { findUser } from './users';

/**
 * The todo routes over one store. A factory rather than an injected store: @Authorize's resource
 * function runs in the guard, before any handler, and reads the owner from this very store.
 */
export function todosController(store: TodoStore) {
  const ownedTodo = ownedTodoResource(store);

  @Controller('todos')
  class TodosController {
    @Get()
    @Authorize(ACTIONS.readTodos, todoListResource)
    list(): Todo[] {
      return store.list();
    }

    @Post()
    @Authorize(ACTIONS.createTodo, todoListResource)
    create(@Req() req: NestHttpRequest, @Body() body: unknown): Todo {
      const todo = newTodoBody(body);
      // The owner is the caller's email, as the ownership policy compares emails.
      const caller = callerOf(req.headers) ?? 'unknown';
      return store.add(todo.Title, findUser(caller)?.email ?? caller, todo.Completed);
    }

    @Put(':id')
    @Authorize(ACTIONS.updateTodo, ownedTodo)
    update(@Param('id') id: string, @Body() body: unknown): Todo {
      const todo = store.update(id, todoChangeBody(body));
      if (!todo) throw notFound(`Todo ${id}`);
      return todo;
    }

    @Delete(':id')
    @HttpCode(204)
    @Authorize(ACTIONS.deleteTodo, ownedTodo)
    remove(@Param('id') id: string): void {
      if (!store.remove(id)) throw notFound(`Todo ${id}`);
    }
  }
  return TodosController;
}
