import { Controller, Get } from '@nestjs/common';
import { Public } from '@zt/auth';
import { buildAsyncApiDocument } from '@zt/contracts';
import { ApiOperation } from '@zt/http';

/**
 * The AsyncAPI 3.0 document of the bus, served by every service like `/openapi.json`: each one
 * produces or reads some of the topics, and whoever can reach a service can learn the events
 * from it alone (a posture agent, a SIEM). The document does not depend on the process.
 */
@Public()
@Controller()
export class AsyncApiController {
  private document?: Record<string, unknown>;

  @Get('asyncapi.json')
  @ApiOperation({
    summary: 'The AsyncAPI 3.0 document of the event bus (every topic, key and event schema)',
    tag: 'meta',
    responses: {
      200: {
        description: 'The document',
        schema: {
          type: 'object',
          required: ['asyncapi', 'info', 'channels', 'operations'],
          properties: {
            asyncapi: { type: 'string' },
            info: {
              type: 'object',
              required: ['title', 'version'],
              properties: { title: { type: 'string' }, version: { type: 'string' } },
            },
            channels: { type: 'object', additionalProperties: { type: 'object' } },
            operations: { type: 'object', additionalProperties: { type: 'object' } },
            components: { type: 'object' },
          },
        },
      },
    },
  })
  asyncapi(): Record<string, unknown> {
    this.document ??= buildAsyncApiDocument({ version: '0.1.0' });
    return this.document;
  }
}
