// The todos, in memory, as the AuthZEN interop todo backend keeps them (its field names, so its
// frontend could talk to this app).
import { randomUUID } from 'node:crypto';

/** A todo as the app stores and answers it. */
export interface Todo {
  ID: string;
  Title: string;
  Completed: boolean;
  /** The owner's email: what the ownership policy compares with the caller's. */
  OwnerID: string;
}

/** What a caller may change of a todo. */
export type TodoChange = Partial<Pick<Todo, 'Title' | 'Completed'>>;

/** The app's todos, in insertion order. */
export class TodoStore {
  private readonly todos = new Map<string, Todo>();

  constructor(initial: readonly Todo[] = []) {
    for (const todo of initial) this.put(todo);
  }

  list(): Todo[] {
    return [...this.todos.values()].map((todo) => ({ ...todo }));
  }

  get(id: string): Todo | undefined {
    const todo = this.todos.get(id);
    return todo && { ...todo };
  }

  /** The owner the guard sends with an update or delete; undefined for a todo that does not exist. */
  ownerOf(id: string): string | undefined {
    return this.todos.get(id)?.OwnerID;
  }

  add(title: string, ownerId: string, completed = false): Todo {
    const todo = { ID: randomUUID(), Title: title, Completed: completed, OwnerID: ownerId };
    this.todos.set(todo.ID, todo);
    return { ...todo };
  }

  /** Stores a todo under its own id, replacing one there (seeding, tests). */
  put(todo: Todo): void {
    this.todos.set(todo.ID, { ...todo });
  }

  update(id: string, change: TodoChange): Todo | undefined {
    const todo = this.todos.get(id);
    if (!todo) return undefined;
    Object.assign(todo, change);
    return { ...todo };
  }

  remove(id: string): boolean {
    return this.todos.delete(id);
  }
}
