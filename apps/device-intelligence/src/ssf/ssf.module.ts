import { Module } from '@nestjs/common';
import { SsfController } from './ssf.controller';
import { SsfRepository } from './ssf.repository';
import { SsfStreamsService } from './ssf-streams.service';
import { SsfTransmitter } from './ssf-transmitter';

/** The OpenID SSF 1.0 transmitter: metadata, signing keys, streams and poll delivery. */
@Module({
  controllers: [SsfController],
  providers: [SsfTransmitter, SsfRepository, SsfStreamsService],
})
export class SsfModule {}
