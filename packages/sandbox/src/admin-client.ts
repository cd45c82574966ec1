import type { FaultRule, FaultRuleInput } from './faults/faults.js';
import type { OperationCounter, TrailEvent, TrailQuery } from './trail/trail.js';

/**
 * A small client for the sandbox's /_sandbox admin API, for tests and tools that run the
 * sandbox in another process: add faults, read the trail and counters, move resource time.
 */
export class SandboxAdminClient {
  constructor(
    private readonly endpoint: string,
    private readonly token?: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.endpoint}/_sandbox/${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code: string; message: string } } | undefined)?.error;
      throw new Error(
        `sandbox admin ${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim(),
      );
    }
    return json as T;
  }

  addFault(rule: FaultRuleInput): Promise<FaultRule> {
    return this.call('POST', 'faults', rule);
  }

  async faults(): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>('GET', 'faults')).faults;
  }

  removeFault(id: string): Promise<void> {
    return this.call('DELETE', `faults/${encodeURIComponent(id)}`);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', 'faults');
  }

  async trail(query: TrailQuery = {}): Promise<TrailEvent[]> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    const suffix = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.call<{ events: TrailEvent[] }>('GET', `trail${suffix}`)).events;
  }

  clearTrail(): Promise<void> {
    return this.call('DELETE', 'trail');
  }

  async counters(): Promise<Record<string, OperationCounter>> {
    return (await this.call<{ operations: Record<string, OperationCounter> }>('GET', 'counters')).operations;
  }

  advanceClock(seconds: number): Promise<{ now: string; offsetSeconds: number }> {
    return this.call('POST', 'clock', { advanceSeconds: seconds });
  }

  reset(): Promise<void> {
    return this.call('POST', 'reset');
  }
}
