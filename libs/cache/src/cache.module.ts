import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Cache } from './cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

/** Redis when distributed, an in-memory LRU when standalone. */
export type CacheOptions =
  { kind: 'memory'; maxEntries?: number } | { kind: 'redis'; url: string; keyPrefix: string };

@Injectable()
class CacheLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Cache) private readonly cache: Cache) {}

  async onApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}

/** Provides the {@link Cache} for the whole application. */
@Global()
@Module({})
export class CacheModule {
  static forRoot(options: CacheOptions): DynamicModule {
    return {
      module: CacheModule,
      providers: [
        {
          provide: Cache,
          useFactory: (): Promise<Cache> =>
            options.kind === 'redis'
              ? RedisCache.connect(options.url, options.keyPrefix)
              : Promise.resolve(new MemoryCache(options.maxEntries)),
        },
        CacheLifecycle,
      ],
      exports: [Cache],
    };
  }
}
