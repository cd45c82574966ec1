import type { FaultRule, FaultRuleInput } from './faults/faults.js';
import { SandboxError } from './sandbox-errors.js';
import type { OperationCounter, TrailEvent, TrailQuery } from './trail/trail.js';

const NOT_JSON = Symbol('not JSON');

/** The parsed body: `undefined` when empty, NOT_JSON when it cannot be parsed. */
function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

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
    const what = `sandbox admin ${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.endpoint}/_sandbox/${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (error) {
      throw new SandboxError('KW_SANDBOX_ADMIN_UNAVAILABLE', {
        message: `${what}: no answer from ${this.endpoint} (${(error as Error).message})`,
        cause: error,
      });
    }
    const json = parseJson(text);
    if (!response.ok) {
      const error = (json as { error?: { code: string; message: string } } | undefined)?.error;
      /* A 4xx is the caller's to fix (token, route, input); a 5xx is the sandbox failing. */
      throw new SandboxError(
        response.status < 500 ? 'KW_SANDBOX_ADMIN_REFUSED' : 'KW_SANDBOX_ADMIN_UNAVAILABLE',
        {
          message: `${what}: ${[response.status, error?.code, error?.message ?? text].filter(Boolean).join(' ')}`,
        },
      );
    }
    if (json === NOT_JSON)
      throw new SandboxError('KW_SANDBOX_ADMIN_UNAVAILABLE', {
        message: `${what}: ${response.status} with a body that is not JSON`,
      });
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
