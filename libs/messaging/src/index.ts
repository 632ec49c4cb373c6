export * from './message-bus';
export * from './in-process-bus';
export * from './event-intake';
export * from './kafka-bus';
export * from './kafka-producer-thread';
export * from './messaging.module';
export * from './stream-position';
export * from './bounded-publish';
