import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** An entity or migration class, as TypeORM takes them. */
export type ClassType = new (...args: never[]) => unknown;

/** Where the data lives: embedded PGlite (standalone) or a PostgreSQL server (distributed). */
export type DatabaseLocation = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; url: string };

export interface DatabaseOptions {
  location: DatabaseLocation;
  entities: ClassType[];
  migrations: ClassType[];
  /** One migrations table per deployable, so services sharing a database do not collide. */
  migrationsTableName: string;
}

/** Owns the embedded server (if any) so it is stopped after the DataSource is closed. */
@Injectable()
export class Database implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  /** Opens the connection and runs committed migrations (never `synchronize`). */
  static async open(options: DatabaseOptions): Promise<Database> {
    const embedded =
      options.location.kind === 'embedded' ? await startEmbeddedPostgres(options.location.dataDir) : null;
    const connection = embedded
      ? // PGlite serves one connection at a time, so the pool holds exactly one.
        {
          host: embedded.host,
          port: embedded.port,
          username: 'postgres',
          database: 'postgres',
          extra: { max: 1 },
        }
      : {
          url: (options.location as { url: string }).url,
          // A connection attempt gives up after 5 s: while PostgreSQL is unreachable a request
          // fails with 503 soon instead of waiting for the operating system's TCP timeout.
          extra: { max: 10, connectionTimeoutMillis: 5_000, keepAlive: true },
        };
    const dataSource = new DataSource({
      type: 'postgres',
      ...connection,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName: options.migrationsTableName,
      migrationsTransactionMode: 'each',
      synchronize: false,
      logging: ['error'],
    });
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw error;
    }
    return new Database(dataSource, embedded);
  }

  /** True when a trivial query answers. */
  async isReady(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop().catch((e: unknown) => this.logger.warn(`embedded stop: ${String(e)}`));
  }
}

/** Provides {@link Database} and its TypeORM {@link DataSource} to the whole application. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: Database, useFactory: () => Database.open(options) },
        { provide: DataSource, useFactory: (db: Database) => db.dataSource, inject: [Database] },
      ],
      exports: [Database, DataSource],
    };
  }
}
