import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '@zt/auth';
import { correlationIdOf } from '@zt/http';
import type { FastifyRequest } from 'fastify';
import { DecisionResponse, DecisionsService } from './decisions.service';

/** The native decision API. A PDP answers 200 with the decision; denying is the PEP's job. */
@Controller('v1/zt-policy/decisions')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Post()
  @HttpCode(200)
  decide(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): DecisionResponse {
    return this.decisions.decide(body, principal, correlationIdOf(request));
  }
}
