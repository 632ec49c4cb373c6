import { HttpException } from '@nestjs/common';
import { newTodoBody, todoChangeBody } from './todo-body';

function problemOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error instanceof HttpException ? { status: error.getStatus(), body: error.getResponse() } : error;
  }
  throw new Error('expected a refusal');
}

describe('todo bodies', () => {
  it('accepts a new todo with a title, not completed unless said', () => {
    expect(newTodoBody({ Title: 'Build a portal gun' })).toEqual({
      Title: 'Build a portal gun',
      Completed: false,
    });
  });

  it('refuses a new todo without a title, naming the field', () => {
    expect(problemOf(() => newTodoBody({}))).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ pointer: '/Title', detail: 'is required' }] },
    });
  });

  it('names every bad field of a change, including unknown ones', () => {
    expect(problemOf(() => todoChangeBody({ Title: '', Completed: 'yes', OwnerID: 'me' }))).toMatchObject({
      status: 400,
      body: {
        errors: [
          { pointer: '/OwnerID', detail: 'is not a todo field' },
          { pointer: '/Title', detail: 'must hold 1 to 256 characters' },
          { pointer: '/Completed', detail: 'must be a boolean' },
        ],
      },
    });
  });

  it('refuses a body that is not an object', () => {
    expect(problemOf(() => todoChangeBody([1]))).toMatchObject({ body: { errors: [{ pointer: '' }] } });
  });

  it('keeps only the fields a change names', () => {
    expect(todoChangeBody({ Completed: true })).toEqual({ Completed: true });
  });
});
