import { describe, expect, it } from 'vitest';
import { SingleFlight, type Flight } from './single-flight.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A load function that counts its calls and hands out one pending promise per call. */
function controlledLoad<T>(): { load: () => Promise<T>; calls: Deferred<T>[] } {
  const calls: Deferred<T>[] = [];
  return {
    calls,
    load: () => {
      const call = deferred<T>();
      calls.push(call);
      return call.promise;
    },
  };
}

describe('SingleFlight', () => {
  it('runs one load for N concurrent callers of the same key, and all of them get its value', async () => {
    const flights = new SingleFlight<string, string>();
    const { load, calls } = controlledLoad<string>();
    const settled: string[] = [];
    const runs = Array.from({ length: 5 }, () => flights.run('k', load, (value) => void settled.push(value)));
    expect(calls).toHaveLength(1);
    expect(flights.size).toBe(1);
    calls[0]!.resolve('V');
    expect(await Promise.all(runs)).toEqual(['V', 'V', 'V', 'V', 'V']);
    expect(settled).toEqual(['V']);
    expect(flights.size).toBe(0);
  });

  it('runs separate loads for different keys', async () => {
    const flights = new SingleFlight<string, string>();
    const { load, calls } = controlledLoad<string>();
    const a = flights.run('a', load, () => undefined);
    const b = flights.run('b', load, () => undefined);
    expect(calls).toHaveLength(2);
    calls[0]!.resolve('A');
    calls[1]!.resolve('B');
    expect([await a, await b]).toEqual(['A', 'B']);
  });

  it('lets settle see the outcome before any caller does', async () => {
    const flights = new SingleFlight<string, string>();
    const order: string[] = [];
    const run = flights.run(
      'k',
      () => Promise.resolve('V'),
      () => void order.push('settle'),
    );
    await run.then(() => order.push('caller'));
    expect(order).toEqual(['settle', 'caller']);
  });

  it('shares a failure with every waiting caller, and does not cache it: the next run loads again', async () => {
    const flights = new SingleFlight<string, string>();
    const { load, calls } = controlledLoad<string>();
    let settled = 0;
    const runs = Array.from({ length: 3 }, () => flights.run('k', load, () => void settled++));
    const failure = new Error('KMS said no');
    calls[0]!.reject(failure);
    const outcomes = await Promise.allSettled(runs);
    expect(
      outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.value)),
    ).toEqual([failure, failure, failure]);
    expect(settled).toBe(0);
    expect(flights.size).toBe(0);

    const again = flights.run('k', load, () => void settled++);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('V');
    expect(await again).toBe('V');
    expect(settled).toBe(1);
  });

  it('abandon marks running flights stale, so settle sees stale = true, and later callers start a fresh load', async () => {
    const flights = new SingleFlight<string, string>();
    const { load, calls } = controlledLoad<string>();
    const seen: Array<[string, boolean]> = [];
    const settle = (value: string, flight: Flight<string>) => void seen.push([value, flight.stale]);

    const old = flights.run('k', load, settle);
    flights.abandon((key) => key === 'k');
    expect(flights.size).toBe(0);
    const fresh = flights.run('k', load, settle);
    expect(calls).toHaveLength(2);

    calls[0]!.resolve('old');
    expect(await old).toBe('old');
    // The old flight finishing does not remove the fresh one.
    expect(flights.size).toBe(1);
    expect(flights.run('k', load, settle)).toBe(fresh);
    calls[1]!.resolve('new');
    expect(await fresh).toBe('new');
    expect(seen).toEqual([
      ['old', true],
      ['new', false],
    ]);
    expect(flights.size).toBe(0);
  });

  it('abandon leaves flights whose keys do not match', async () => {
    const flights = new SingleFlight<string, string>();
    const { load, calls } = controlledLoad<string>();
    const seen: boolean[] = [];
    const a = flights.run('a', load, (_value, flight) => void seen.push(flight.stale));
    flights.abandon((key) => key === 'b');
    expect(flights.size).toBe(1);
    calls[0]!.resolve('A');
    await a;
    expect(seen).toEqual([false]);
  });

  it('cleans up after a load that throws synchronously: the caller gets a rejection, not a throw', async () => {
    const flights = new SingleFlight<string, string>();
    const failure = new Error('sync');
    let run: Promise<string> | undefined;
    expect(() => {
      run = flights.run(
        'k',
        () => {
          throw failure;
        },
        () => undefined,
      );
    }).not.toThrow();
    expect(flights.size).toBe(0);
    await expect(run).rejects.toBe(failure);
    expect(
      await flights.run(
        'k',
        () => Promise.resolve('V'),
        () => undefined,
      ),
    ).toBe('V');
  });

  it('rejects the callers when settle throws, and still cleans up', async () => {
    const flights = new SingleFlight<string, string>();
    const failure = new Error('settle');
    const run = flights.run(
      'k',
      () => Promise.resolve('V'),
      () => {
        throw failure;
      },
    );
    await expect(run).rejects.toBe(failure);
    expect(flights.size).toBe(0);
  });

  it('a load that calls run() again for its own key shares its own flight instead of getting undefined', async () => {
    const flights = new SingleFlight<string, string>();
    let inner: Promise<string> | undefined;
    const outer = flights.run(
      'k',
      () => {
        inner = flights.run(
          'k',
          () => Promise.resolve('second load'),
          () => undefined,
        );
        return Promise.resolve('V');
      },
      () => undefined,
    );
    expect(inner).toBeInstanceOf(Promise);
    expect(await outer).toBe('V');
    expect(await inner).toBe('V');
  });
});
