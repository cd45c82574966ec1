import type { CacheStats } from '@keyward/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one server (its own registry, so that several servers in one process,
 * as in the tests, do not share counters): HTTP requests, KMS/STS calls, the key cache, and
 * tenants by BYOK state.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'keyward_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly awsCalls = new Counter({
    name: 'keyward_aws_calls_total',
    help: 'KMS and STS calls by service, operation and outcome',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly stateChanges = new Counter({
    name: 'keyward_byok_state_changes_total',
    help: 'BYOK state changes by from, to and cause (a health finding, or the lifecycle operation)',
    labelNames: ['from', 'to', 'finding'] as const,
    registers: [this.registry],
  });
  readonly jobsFinished = new Counter({
    name: 'keyward_jobs_finished_total',
    help: 'Background jobs finished on this instance, by kind and state (succeeded, failed)',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'keyward_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome (failed: after every retry)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly dataPlaneItems = new Counter({
    name: 'keyward_data_plane_items_total',
    help: 'Data-plane items by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly #requestChildren = new Map<
    string,
    { count: { inc(): void }; duration: { observe(seconds: number): void } }
  >();

  /** Counts one HTTP request; the labelled series are looked up once per route and status, not hashed per request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.#requestChildren.get(key);
    if (child === undefined) {
      child = {
        count: this.httpRequests.labels(method, route, String(status)),
        duration: this.httpDuration.labels(method, route),
      };
      this.#requestChildren.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  constructor(
    cacheStats: () => CacheStats,
    tenantsByState: () => Promise<Array<{ state: string; count: number }>>,
  ) {
    // Read at scrape time from the key cache's own counters, which only grow.
    new Gauge({
      name: 'keyward_key_cache_events',
      help: 'Unwrapped tenant key cache: hits, misses, loads, load failures and evictions since start (counters)',
      labelNames: ['event'] as const,
      registers: [this.registry],
      collect() {
        const stats = cacheStats();
        for (const event of ['hits', 'misses', 'loads', 'loadFailures', 'evictions'] as const)
          this.set({ event }, stats[event]);
      },
    });
    new Gauge({
      name: 'keyward_key_cache_entries',
      help: 'Unwrapped tenant keys held in memory now',
      registers: [this.registry],
      collect() {
        this.set(cacheStats().entries);
      },
    });
    new Gauge({
      name: 'keyward_tenants',
      help: 'Tenants by BYOK state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { state, count } of await tenantsByState()) this.set({ state }, count);
      },
    });
  }
}
