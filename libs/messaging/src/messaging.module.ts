import { DynamicModule, Global, Inject, Injectable, Module, BeforeApplicationShutdown } from '@nestjs/common';
import { EventIntake } from './event-intake';
import { InProcessBus } from './in-process-bus';
import { KafkaBus, KafkaBusOptions } from './kafka-bus';
import { MessageBus } from './message-bus';

/** Which bus a process uses: Kafka when distributed, in-process when standalone. */
export type MessagingOptions = { kind: 'in-process' } | ({ kind: 'kafka' } & KafkaBusOptions);

/**
 * Closes the bus before the rest shuts down: in-flight handlers finish while the database they
 * write to is still open.
 */
@Injectable()
class BusLifecycle implements BeforeApplicationShutdown {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/** Provides the {@link MessageBus} and the consumers' {@link EventIntake} for the whole application. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessageBus,
          useFactory: async (): Promise<MessageBus> => {
            if (options.kind === 'in-process') return new InProcessBus();
            const bus = new KafkaBus(options);
            await bus.connect();
            return bus;
          },
        },
        BusLifecycle,
        EventIntake,
      ],
      exports: [MessageBus, EventIntake],
    };
  }
}
