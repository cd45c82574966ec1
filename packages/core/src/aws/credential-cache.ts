import { systemClock, type Clock } from '../clock.js';
import { isKeywardError } from '../errors.js';
import { SingleFlight } from '../cache/single-flight.js';
import type { AssumeRoleRequest, AwsCredentials, StsPort } from './ports.js';

export interface CredentialCacheOptions {
  clock?: Clock;
  /** Refresh this long before expiry, in the background while the old session still works; default 5 min. */
  refreshAheadMs?: number;
  /** Session length asked of STS; default 1 hour (AWS's default maximum for a role). */
  durationSeconds?: number;
}

/** Stop using a session this long before AWS says it expires, to allow for clock skew. */
const EXPIRY_MARGIN_MS = 60_000;

interface Session {
  credentials: AwsCredentials & { expiration: Date };
  refreshAt: number;
  expiresAt: number;
}

/**
 * Assumed-role credentials per (role ARN, External ID, session name, source identity). A session is refreshed ahead of expiry in
 * the background while the current one still works; concurrent callers share one AssumeRole. A
 * refresh that STS refuses (the customer changed the trust policy) drops the session at once; a
 * refresh that fails for an outage keeps the current session until it expires.
 */
export class AssumedRoleCredentialCache {
  readonly #sts: StsPort;
  readonly #clock: Clock;
  readonly #refreshAheadMs: number;
  readonly #durationSeconds: number;
  readonly #sessions = new Map<string, Session>();
  readonly #flights = new SingleFlight<string, Session>();
  #assumeRoleCalls = 0;

  constructor(sts: StsPort, options: CredentialCacheOptions = {}) {
    this.#sts = sts;
    this.#clock = options.clock ?? systemClock;
    this.#refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.#durationSeconds = options.durationSeconds ?? 3600;
  }

  get assumeRoleCalls(): number {
    return this.#assumeRoleCalls;
  }

  async get(request: AssumeRoleRequest): Promise<AwsCredentials> {
    // The session name and source identity are part of the key: they name the tenant in the customer's CloudTrail.
    const key = [
      request.roleArn,
      request.externalId ?? '',
      request.roleSessionName,
      request.sourceIdentity ?? '',
    ].join('\u0000');
    const session = this.#sessions.get(key);
    const now = this.#clock.now();
    if (session !== undefined && now < session.expiresAt) {
      if (now >= session.refreshAt) this.#refreshInBackground(key, request);
      return session.credentials;
    }
    return (await this.#refresh(key, request)).credentials;
  }

  /** Forgets the sessions of a role (all External IDs, or one). */
  evict(roleArn: string, externalId?: string): void {
    const prefix = externalId === undefined ? `${roleArn}\u0000` : `${roleArn}\u0000${externalId}\u0000`;
    const matches = (key: string) => key.startsWith(prefix);
    for (const key of [...this.#sessions.keys()]) if (matches(key)) this.#sessions.delete(key);
    this.#flights.abandon(matches);
  }

  evictAll(): void {
    this.#sessions.clear();
    this.#flights.abandon(() => true);
  }

  #refreshInBackground(key: string, request: AssumeRoleRequest): void {
    this.#refresh(key, request).catch((error: unknown) => {
      // Access withdrawn: stop using the old session now. An outage: keep it until it expires.
      if (isKeywardError(error) && error.category === 'revoked') this.#sessions.delete(key);
    });
  }

  #refresh(key: string, request: AssumeRoleRequest): Promise<Session> {
    return this.#flights.run(
      key,
      async () => {
        this.#assumeRoleCalls++;
        const credentials = await this.#sts.assumeRole({
          durationSeconds: this.#durationSeconds,
          ...request,
        });
        const expiresAt = credentials.expiration.getTime() - EXPIRY_MARGIN_MS;
        const lifetime = expiresAt - this.#clock.now();
        // Refresh ahead by the configured lead, but never before half the session has been used.
        const refreshAt = expiresAt - Math.min(this.#refreshAheadMs, Math.max(0, lifetime / 2));
        return { credentials, expiresAt, refreshAt };
      },
      (session, flight) => {
        if (!flight.stale) this.#sessions.set(key, session);
      },
    );
  }
}
