import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';

import type { AuditEntry } from '../audit-entry.js';

export type { AuditEntry } from '../audit-entry.js';

export interface AuditEvent extends AuditEntry {
  id: string;
  at: Date;
  hash: string;
  previousHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
/** Any constant: the advisory lock that makes appends take turns. */
export const APPEND_LOCK = 0x6b77_6175;

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function eventHash(previousHash: string, entry: AuditEntry, at: Date): string {
  const content = canonicalJson([
    entry.tenantId,
    at.toISOString(),
    entry.actor,
    entry.operation,
    entry.outcome,
    entry.details,
  ]);
  return createHash('sha256').update(previousHash).update('\n').update(content).digest('hex');
}

/**
 * The append-only audit log, hash-chained: each event's hash covers the previous event's hash and
 * its own content, so editing or deleting a row breaks the chain at that row.
 */
export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Events newest first, one page at a time (`listAuditEvents`). */
  list(query: AuditQuery): Promise<{ events: AuditEvent[]; next: string | null }> {
    return listAuditEvents(this.db, query);
  }

  /**
   * Appends on its own, durably, before it resolves (recording fails closed). Appends arriving
   * while one is being written wait and are then written together, in order, in one transaction:
   * under load many events share one commit instead of each waiting for its own.
   */
  append(entry: AuditEntry): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ entry, resolve, reject });
      if (!this.#writing) void this.#writeBatches();
    });
  }

  readonly #pending: Array<{
    entry: AuditEntry;
    resolve: (event: AuditEvent) => void;
    reject: (error: unknown) => void;
  }> = [];
  #writing = false;

  async #writeBatches(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, 500);
        try {
          const events = await this.#writeWithRetry(batch.map((item) => item.entry));
          batch.forEach((item, index) => item.resolve(events[index]!));
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          // One bad entry must not fail the others: each is tried on its own.
          else
            for (const item of batch)
              await this.#writeWithRetry([item.entry]).then(
                (events) => item.resolve(events[0]!),
                item.reject,
              );
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async #writeWithRetry(entries: AuditEntry[]): Promise<AuditEvent[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const events: AuditEvent[] = [];
          for (const entry of entries) events.push(await this.appendIn(trx, entry));
          return events;
        });
      } catch (error) {
        // The unique previous_hash is the backstop if two appends ever raced past the lock.
        if (sqlState(error) !== UNIQUE_VIOLATION || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Appends inside the caller's transaction, so that a state change and its audit event commit
   * together or not at all.
   */
  async appendIn(trx: Transaction<Database>, entry: AuditEntry): Promise<AuditEvent> {
    // Appends take turns, so two events never claim the same predecessor. The lock is per schema:
    // deployments (and tests) sharing a server do not wait for each other.
    await sql`select pg_advisory_xact_lock(${APPEND_LOCK}, hashtext(current_schema()))`.execute(trx);
    const last = await trx
      .selectFrom('audit_events')
      .select('hash')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const previousHash = last?.hash ?? GENESIS_HASH;
    const at = this.now();
    const hash = eventHash(previousHash, entry, at);
    const row = await trx
      .insertInto('audit_events')
      .values({
        tenant_id: entry.tenantId,
        at,
        actor: entry.actor,
        operation: entry.operation,
        outcome: entry.outcome,
        details: canonicalJson(entry.details),
        hash,
        previous_hash: previousHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...entry, id: String(row.id), at, hash, previousHash };
  }

  /** Recomputes the chain from the start; the first event that does not fit is where it was altered. */
  /**
   * With `knownHead`, a head hash kept elsewhere earlier (from a previous verify), the chain must
   * still contain it: that detects the deletion of the newest events, which the chain alone cannot.
   */
  async verify(
    knownHead?: string,
  ): Promise<
    { ok: true; events: number; head: string } | { ok: false; brokenAt: string | null; reason: string }
  > {
    const rows = await this.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    let previous = GENESIS_HASH;
    let sawKnownHead = knownHead === undefined || knownHead === GENESIS_HASH;
    for (const row of rows) {
      if (row.hash === knownHead) sawKnownHead = true;
      const entry: AuditEntry = {
        tenantId: row.tenant_id,
        actor: row.actor,
        operation: row.operation,
        outcome: row.outcome as AuditEntry['outcome'],
        details: row.details as Record<string, unknown>,
      };
      if (row.previous_hash !== previous)
        return {
          ok: false,
          brokenAt: String(row.id),
          reason: 'an event before this one was deleted or changed',
        };
      if (eventHash(previous, entry, new Date(row.at)) !== row.hash)
        return { ok: false, brokenAt: String(row.id), reason: 'this event was changed' };
      previous = row.hash;
    }
    if (!sawKnownHead)
      return {
        ok: false,
        brokenAt: null,
        reason: 'the head you kept is not in the chain: events after an earlier point were deleted',
      };
    return { ok: true, events: rows.length, head: previous };
  }
}

export interface AuditQuery {
  tenantId?: string;
  /** An exact operation (`byok.enable`) or a prefix ending in `.` or `*` (`kms.`, `byok.*`). */
  operation?: string;
  outcome?: AuditEntry['outcome'];
  actor?: string;
  since?: Date;
  until?: Date;
  /** Events older than this id (the `next` cursor of the previous page). */
  before?: string;
  /** At most 500; default 100. */
  limit?: number;
}

/** Newest first, one page at a time. */
export async function listAuditEvents(
  db: Kysely<Database>,
  query: AuditQuery,
): Promise<{ events: AuditEvent[]; next: string | null }> {
  const limit = Math.min(query.limit ?? 100, 500);
  let select = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
  if (query.operation !== undefined) {
    const prefix = query.operation.endsWith('*')
      ? query.operation.slice(0, -1)
      : query.operation.endsWith('.')
        ? query.operation
        : undefined;
    select =
      prefix === undefined
        ? select.where('operation', '=', query.operation)
        : select.where(sql<boolean>`starts_with(operation, ${prefix})`);
  }
  if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.since !== undefined) select = select.where('at', '>=', query.since);
  if (query.until !== undefined) select = select.where('at', '<', query.until);
  if (query.before !== undefined) select = select.where('id', '<', query.before);
  const rows = await select.execute();
  const page = rows.slice(0, limit).map((row): AuditEvent => ({
    id: String(row.id),
    tenantId: row.tenant_id,
    at: new Date(row.at),
    actor: row.actor,
    operation: row.operation,
    outcome: row.outcome as AuditEntry['outcome'],
    details: row.details as Record<string, unknown>,
    hash: row.hash,
    previousHash: row.previous_hash,
  }));
  return { events: page, next: rows.length > limit ? page.at(-1)!.id : null };
}
