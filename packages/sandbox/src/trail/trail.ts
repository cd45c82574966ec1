/**
 * A CloudTrail-like record of every call the sandbox answered (or dropped), newest last, in a
 * bounded ring, plus per-operation counters. Tests read it to count KMS calls and to see
 * which principal called what with which encryption context. Plaintext is never recorded.
 */
export type Outcome = 'success' | 'error' | 'fault';

export interface TrailEvent {
  eventId: string;
  eventTime: string;
  requestId: string;
  service: string;
  operation: string;
  region: string;
  /** The account that owns the resource (the key, the role), else the caller's account. */
  account: string;
  callerAccount?: string;
  principalArn?: string;
  accessKeyId?: string;
  keyArn?: string;
  /** Other resources the call touched (a role ARN, a destination key). */
  resources: string[];
  encryptionContext?: Record<string, string>;
  outcome: Outcome;
  errorCode?: string;
  errorMessage?: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface OperationCounter {
  calls: number;
  success: number;
  errors: number;
  faults: number;
  errorCodes: Record<string, number>;
}

export interface TrailQuery {
  service?: string;
  operation?: string;
  account?: string;
  keyArn?: string;
  principalArn?: string;
  outcome?: Outcome;
  since?: string;
  limit?: number;
}

export class Trail {
  private events: TrailEvent[] = [];
  private counters = new Map<string, OperationCounter>();

  constructor(private readonly limit: number) {}

  record(event: TrailEvent): void {
    this.events.push(event);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    this.count(event);
  }

  private count(event: TrailEvent): void {
    const name = `${event.service}:${event.operation}`;
    const counter = this.counters.get(name) ?? { calls: 0, success: 0, errors: 0, faults: 0, errorCodes: {} };
    counter.calls++;
    if (event.outcome === 'success') counter.success++;
    else if (event.outcome === 'error') counter.errors++;
    else counter.faults++;
    if (event.errorCode) counter.errorCodes[event.errorCode] = (counter.errorCodes[event.errorCode] ?? 0) + 1;
    this.counters.set(name, counter);
  }

  query(query: TrailQuery = {}): TrailEvent[] {
    const since = query.since === undefined ? undefined : Date.parse(query.since);
    const matches = this.events.filter(
      (event) =>
        (query.service === undefined || event.service === query.service) &&
        (query.operation === undefined || event.operation === query.operation) &&
        (query.account === undefined ||
          event.account === query.account ||
          event.callerAccount === query.account) &&
        (query.keyArn === undefined || event.keyArn === query.keyArn) &&
        (query.principalArn === undefined || event.principalArn === query.principalArn) &&
        (query.outcome === undefined || event.outcome === query.outcome) &&
        (since === undefined || Date.parse(event.eventTime) >= since),
    );
    return query.limit === undefined ? matches : matches.slice(Math.max(0, matches.length - query.limit));
  }

  counts(): Record<string, OperationCounter> {
    return Object.fromEntries(
      [...this.counters.entries()].map(([name, counter]) => [name, structuredClone(counter)]),
    );
  }

  clear(): void {
    this.events = [];
    this.counters.clear();
  }
}
