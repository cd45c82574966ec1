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

export function postgresNotifications(
  db: Kysely<Database>,
  url: string,
  schema: string | undefined,
): Notifications {
  const channel = channelFor(schema);
  return {
    publish: async (payload) => {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
    async listen(handler, onGap = () => undefined) {
      let closed = false;
      let client: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;
      const again = (): void => {
        if (closed || retry !== undefined) return;
        // A lost connection may have lost messages: say so now, and again once listening.
        onGap();
        retry = setTimeout(() => {
          retry = undefined;
          void connect(true).catch(() => again());
        }, 1000);
        retry.unref();
      };
      const connect = async (reconnecting: boolean): Promise<void> => {
        const next = new pg.Client({ connectionString: url, keepAlive: true });
        next.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) handler(message.payload);
        });
        next.on('error', () => undefined);
        next.on('end', () => {
          if (client === next) client = undefined;
          again();
        });
        try {
          await next.connect();
          await next.query(`listen "${channel}"`);
        } catch (error) {
          await next.end().catch(() => undefined);
          throw error;
        }
        if (closed) {
          await next.end().catch(() => undefined);
          return;
        }
        client = next;
        // Messages sent between the loss and now are gone: whatever was reloaded meanwhile goes too.
        if (reconnecting) onGap();
      };
      await connect(false);
      return async () => {
        closed = true;
        if (retry !== undefined) clearTimeout(retry);
        await client?.end().catch(() => undefined);
      };
    },
  };
}
