import type { Todo } from './todo-store';

/** One todo per user, under the ids the interop decisions use, so every official case has its todo. */
export const DEMO_TODOS: readonly Todo[] = [
  {
    ID: '7240d0db-8ff0-41ec-98b2-34a096273b91',
    Title: 'Why is there a Morty?',
    Completed: false,
    OwnerID: 'morty@the-citadel.com',
  },
  {
    ID: '7240d0db-8ff0-41ec-98b2-34a096273b92',
    Title: 'Build a portal gun',
    Completed: false,
    OwnerID: 'rick@the-citadel.com',
  },
  {
    ID: '7240d0db-8ff0-41ec-98b2-34a096273b93',
    Title: 'Get a driving licence',
    Completed: false,
    OwnerID: 'summer@the-smiths.com',
  },
  {
    ID: '7240d0db-8ff0-41ec-98b2-34a096273b94',
    Title: 'Book the horse surgery',
    Completed: false,
    OwnerID: 'beth@the-smiths.com',
  },
  {
    ID: '7240d0db-8ff0-41ec-98b2-34a096273b95',
    Title: 'Apply for a job',
    Completed: false,
    OwnerID: 'jerry@the-smiths.com',
  },
];
