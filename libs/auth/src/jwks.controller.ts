import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JWK } from 'jose';
import { ApiOperation, JWKS_SCHEMA } from '@zt/http';
import { Public } from './auth.decorators';
import { DevIssuer } from './dev-issuer';

/** Serves the development issuer's public keys. */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(DevIssuer) private readonly issuer: DevIssuer) {}

  @ApiOperation({
    summary: 'Public keys of the development token issuer',
    tag: 'meta',
    responses: {
      200: { description: 'A JWKS', schema: JWKS_SCHEMA },
    },
  })
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): { keys: JWK[] } {
    return this.issuer.jwks();
  }
}
