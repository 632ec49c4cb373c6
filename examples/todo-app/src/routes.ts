// What each route asks the decision point: the AuthZEN todo scenario's actions and resources.
// Kept apart from the controllers so the mapping reads as one table.
import type { NestHttpRequest } from '../../../packages/sdk/src/pep/nest';
import type { TodoStore } from './todo-store';

/** A resource as the decision request carries it. */
export interface TodoResource {
  type: string;
  id: string;
  attributes?: Record<string, unknown>;
}

/** The AuthZEN todo actions. */
export const ACTIONS = {
  readUser: 'can_read_user',
  readTodos: 'can_read_todos',
  createTodo: 'can_create_todo',
  updateTodo: 'can_update_todo',
  deleteTodo: 'can_delete_todo',
} as const;

/** GET /users/:id: the user asked about. */
export function userResource(req: NestHttpRequest): TodoResource {
  return { type: 'user', id: req.params.id };
}

/** The todo list as a whole (reading it, adding to it), named as the interop backend names it. */
export function todoListResource(): TodoResource {
  return { type: 'todo', id: 'todo-1' };
}

/**
 * PUT and DELETE /todos/:id: the todo with its owner, read from the store (never from the
 * request). A todo that does not exist goes without an owner: no ownership rule matches it, so
 * only a caller who may change any todo gets past the guard, to a 404.
 */
export function ownedTodoResource(store: TodoStore): (req: NestHttpRequest) => TodoResource {
  return (req) => {
    const owner = store.ownerOf(req.params.id);
    return {
      type: 'todo',
      id: req.params.id,
      ...(owner !== undefined ? { attributes: { ownerID: owner } } : {}),
    };
  };
}
