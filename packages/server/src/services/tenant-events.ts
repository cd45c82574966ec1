import type { Notifications } from '../store/notifications.js';

/**
 * What one instance tells the others on the same store, so that they act at once rather than
 * at their own next check: drop a tenant's cached keys (revoked; an outage past its grace; keys
 * moved to another root), or forget a revoked token.
 */
export type TenantEvent =
  | { kind: 'evict'; tenantId: string; reason: 'revoked' | 'outage-past-grace' | 'keys-moved' }
  | { kind: 'token-revoked'; tokenId: string }
  /** A job was queued: every instance's runner looks for work now rather than at its next poll. */
  | { kind: 'jobs-queued' };

export interface EventHandlers {
  evict(tenantId: string, reason: Extract<TenantEvent, { kind: 'evict' }>['reason']): void;
  forgetToken(tokenId: string): void;
  jobsQueued?(): void;
  /** Messages may have been missed (the listening connection dropped): drop everything cached. */
  gap(): void;
}

function parse(payload: string): TenantEvent | undefined {
  try {
    const event = JSON.parse(payload) as Partial<TenantEvent> & Record<string, unknown>;
    if (event.kind === 'evict' && typeof event.tenantId === 'string' && typeof event.reason === 'string')
      return event as TenantEvent;
    if (event.kind === 'token-revoked' && typeof event.tokenId === 'string') return event as TenantEvent;
    if (event.kind === 'jobs-queued') return { kind: 'jobs-queued' };
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

export class TenantEvents {
  #stop: (() => Promise<void>) | undefined;

  constructor(
    private readonly notifications: Notifications,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Tells every instance, this one included. A failure to publish is reported, not thrown: each instance's own checks still bound the delay. */
  async publish(event: TenantEvent): Promise<void> {
    try {
      await this.notifications.publish(JSON.stringify(event));
    } catch (error) {
      this.onError(error);
    }
  }

  async start(handlers: EventHandlers): Promise<void> {
    this.#stop = await this.notifications.listen(
      (payload) => {
        // Anyone who can NOTIFY on this database can send anything: a bad message must not throw here.
        try {
          const event = parse(payload);
          if (event?.kind === 'evict') handlers.evict(event.tenantId, event.reason);
          if (event?.kind === 'token-revoked') handlers.forgetToken(event.tokenId);
          if (event?.kind === 'jobs-queued') handlers.jobsQueued?.();
        } catch (error) {
          this.onError(error);
        }
      },
      () => handlers.gap(),
    );
  }

  async stop(): Promise<void> {
    await this.#stop?.();
    this.#stop = undefined;
  }
}
