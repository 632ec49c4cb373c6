import { Controller, Get, Param } from '@nestjs/common';
import { Authorize } from '../../../packages/sdk/src/pep/nest';
import { notFound } from './problem';
import { ACTIONS, userResource } from './routes';
import { findUser, type TodoUser } from './users';

/** GET /users/:id: a user's profile, by identity or email. */
@Controller('users')
export class UsersController {
  @Get(':id')
  @Authorize(ACTIONS.readUser, userResource)
  get(@Param('id') id: string): TodoUser {
    const user = findUser(id);
    if (!user) throw notFound(`User ${id}`);
    return user;
  }
}
