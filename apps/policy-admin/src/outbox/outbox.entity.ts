import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event written in the same transaction as the change it describes; the relay publishes it
 * afterwards. A rolled-back change leaves no row, a crash before publishing leaves an
 * unpublished one: nothing is lost and nothing is sent for a change that did not happen.
 */
@Entity({ schema: 'policy_admin', name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column('text')
  topic!: string;

  @Column('text', { name: 'message_key' })
  key!: string;

  @Column('jsonb')
  event!: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;
}
