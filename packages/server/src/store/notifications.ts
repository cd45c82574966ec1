import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/**
 * Messages between Keyward instances sharing one store: PostgreSQL `LISTEN/NOTIFY` on a server,
 * an in-process emitter on PGlite (which has one process by construction).
 */
export interface Notifications {
  publish(payload: string): Promise<void>;
  /** Calls `handler` for every message, this instance's own included; `onGap` when messages may have been missed (a lost connection). */
  listen(handler: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
}

/** One channel per schema, so that deployments (and tests) sharing a server do not hear each other. */
export function channelFor(schema: string | undefined): string {
  return `keyward_events_${schema ?? 'public'}`.slice(0, 63);
}

export function memoryNotifications(): Notifications {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: async (payload) => {
      emitter.emit('message', payload);
    },
    listen: async (handler) => {
      emitter.on('message', handler);
      return async () => {
        emitter.off('message', handler);
      };
    },
  };
}

export function postgresNotifications(db: Kysely<Database>, url: string, schema: string | undefined): Notifications {
  const channel = channelFor(schema);
  return {
    publish: async (payload) => {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
    async listen(handler, onGap = () => undefined) {
      let closed = false;
      let client: pg.Client | undefined;
      const connect = async (): Promise<void> => {
        const next = new pg.Client({ connectionString: url });
        next.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) handler(message.payload);
        });
        // A lost connection may have lost messages: say so, then listen again.
        next.on('error', () => undefined);
        next.on('end', () => {
          if (closed) return;
          onGap();
          setTimeout(() => void connect().catch(() => undefined), 1000).unref();
        });
        await next.connect();
        await next.query(`listen "${channel}"`);
        client = next;
      };
      await connect();
      return async () => {
        closed = true;
        await client?.end().catch(() => undefined);
      };
    },
  };
}
