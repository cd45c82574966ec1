import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who a KMS or STS call is made for. The HTTP layer runs each request inside `withActor`, so that
 * the audit record of a KMS call made deep inside core (a cache miss, a re-wrap) names the token
 * that caused it, without threading an actor through every core API.
 */
const storage = new AsyncLocalStorage<string>();

export function withActor<T>(actor: string, run: () => T): T {
  return storage.run(actor, run);
}

/** The actor of the current request; `keyward` for the server's own work (start-up, background). */
export function currentActor(): string {
  return storage.getStore() ?? 'keyward';
}
