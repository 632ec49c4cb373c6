// The bodies of POST and PUT /todos, checked by hand: two fields do not need a schema library,
// and each problem names its field's JSON pointer as the product's own API does.
import type { TodoChange } from './todo-store';
import { type FieldError, invalidBody } from './problem';

const MAX_TITLE = 256;

function titleProblem(title: unknown): string | undefined {
  if (typeof title !== 'string') return 'must be a string';
  if (title.trim() === '' || title.length > MAX_TITLE) return `must hold 1 to ${MAX_TITLE} characters`;
  return undefined;
}

function checked(body: unknown, titleRequired: boolean): TodoChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidBody([{ pointer: '', detail: 'must be a JSON object' }]);
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const name of Object.keys(record)) {
    if (name !== 'Title' && name !== 'Completed')
      errors.push({ pointer: `/${name}`, detail: 'is not a todo field' });
  }
  if (record.Title !== undefined || titleRequired) {
    const detail = record.Title === undefined ? 'is required' : titleProblem(record.Title);
    if (detail) errors.push({ pointer: '/Title', detail });
  }
  if (record.Completed !== undefined && typeof record.Completed !== 'boolean') {
    errors.push({ pointer: '/Completed', detail: 'must be a boolean' });
  }
  if (errors.length) throw invalidBody(errors);
  return {
    ...(record.Title !== undefined ? { Title: record.Title as string } : {}),
    ...(record.Completed !== undefined ? { Completed: record.Completed as boolean } : {}),
  };
}

/** A new todo: `Title` required, `Completed` optional. Throws 400 problem+json otherwise. */
export function newTodoBody(body: unknown): { Title: string; Completed: boolean } {
  const change = checked(body, true);
  return { Title: change.Title as string, Completed: change.Completed ?? false };
}

/** A change of a todo: `Title` and `Completed`, both optional. Throws 400 problem+json otherwise. */
export function todoChangeBody(body: unknown): TodoChange {
  return checked(body, false);
}
