// The app's own user directory (interop/authzen-todo-backend/src/directory.ts): who a token's
// subject is, for the profile GET /users/:id answers and the owner a new todo gets. The policy
// side of the same people (roles, email) is the principal directory in ../policy/principals.

/** A user of the todo app. */
export interface TodoUser {
  /** The identity the user's token carries as `sub`. */
  id: string;
  email: string;
  name: string;
}

const user = (id: string, email: string, name: string): TodoUser => ({ id, email, name });

/** The Rick and Morty cast of the interop scenario. */
export const TODO_USERS: readonly TodoUser[] = [
  user(
    'CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs',
    'rick@the-citadel.com',
    'Rick Sanchez',
  ),
  user(
    'CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs',
    'morty@the-citadel.com',
    'Morty Smith',
  ),
  user(
    'CiRmZDI2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs',
    'summer@the-smiths.com',
    'Summer Smith',
  ),
  user('CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'beth@the-smiths.com', 'Beth Smith'),
  user('CiRmZDQ2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'jerry@the-smiths.com', 'Jerry Smith'),
];

/** The user with this identity or email (the interop frontend asks by either). */
export function findUser(idOrEmail: string): TodoUser | undefined {
  return TODO_USERS.find((u) => u.id === idOrEmail || u.email === idOrEmail);
}
