import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FaultInjector, type FaultRuleInput, type FaultTarget } from './faults.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;

const target = (overrides: Partial<FaultTarget> = {}): FaultTarget => ({
  service: 'kms',
  operation: 'Decrypt',
  region: 'us-east-1',
  accounts: ['111122223333'],
  keyArn: KEY_ARN,
  ...overrides,
});

/** A random source that replays `values` and counts its calls. */
function sequence(...values: number[]) {
  const source = { calls: 0, next: () => values[source.calls++ % values.length]! };
  return source;
}

const fires = (injector: FaultInjector, at: FaultTarget) =>
  injector.pick(at, new Set()).map((rule) => rule.mode);

describe('FaultInjector matching', () => {
  it.each<[string, FaultRuleInput, FaultTarget, boolean]>([
    [
      'a rule naming nothing matches everything',
      { mode: 'throttle' },
      target({ service: 'sts', operation: 'AssumeRole', keyArn: undefined }),
      true,
    ],
    ['service matches', { mode: 'throttle', service: 'kms' }, target(), true],
    ['service differs', { mode: 'throttle', service: 'sts' }, target(), false],
    ['operation matches', { mode: 'throttle', operation: 'Decrypt' }, target(), true],
    ['operation differs', { mode: 'throttle', operation: 'Encrypt' }, target(), false],
    ['region matches', { mode: 'throttle', region: 'us-east-1' }, target(), true],
    ['region differs', { mode: 'throttle', region: 'eu-west-1' }, target(), false],
    ['the caller account', { mode: 'throttle', account: '111122223333' }, target(), true],
    [
      'the resource owner account',
      { mode: 'throttle', account: '444455556666' },
      target({ accounts: ['111122223333', '444455556666'] }),
      true,
    ],
    ['an uninvolved account', { mode: 'throttle', account: '444455556666' }, target(), false],
    ['key by ID', { mode: 'throttle', key: KEY_ID }, target(), true],
    ['key by ARN', { mode: 'throttle', key: KEY_ARN }, target(), true],
    ['another key ID', { mode: 'throttle', key: '00000000-0000-0000-0000-000000000000' }, target(), false],
    [
      'the same key ID in another region\u2019s ARN',
      { mode: 'throttle', key: KEY_ARN.replace('us-east-1', 'eu-west-1') },
      target(),
      false,
    ],
    [
      'a key rule before the key is known',
      { mode: 'throttle', key: KEY_ID },
      target({ keyArn: undefined }),
      false,
    ],
    [
      'every named field must match (all match)',
      {
        mode: 'throttle',
        service: 'kms',
        operation: 'Decrypt',
        account: '111122223333',
        key: KEY_ID,
        region: 'us-east-1',
      },
      target(),
      true,
    ],
    [
      'every named field must match (one differs)',
      {
        mode: 'throttle',
        service: 'kms',
        operation: 'Decrypt',
        account: '111122223333',
        key: KEY_ID,
        region: 'eu-west-1',
      },
      target(),
      false,
    ],
  ])('%s', (_label, rule, at, expected) => {
    const injector = new FaultInjector(() => 0);
    injector.add(rule);
    expect(fires(injector, at)).toEqual(expected ? ['throttle'] : []);
  });

  it.each([
    [
      'an operation in the wrong case',
      { mode: 'throttle', operation: 'decrypt' },
      /operation must be an operation name/,
    ],
    [
      'an IAM-style action name',
      { mode: 'throttle', operation: 'kms:Decrypt' },
      /operation must be an operation name/,
    ],
    [
      'an operation of another service',
      { mode: 'throttle', service: 'sts', operation: 'Decrypt' },
      /operation must be an operation name/,
    ],
    ['a truncated key ID', { mode: 'throttle', key: KEY_ID.slice(4) }, /key must be a key ID or key ARN/],
    [
      'an alias, which rules do not resolve',
      { mode: 'throttle', key: 'alias/keyward-platform' },
      /key must be a key ID or key ARN/,
    ],
  ] as const)('refuses a rule that could never fire: %s', (_label, rule, message) => {
    const injector = new FaultInjector(() => 0);
    expect(() => injector.add(rule)).toThrow(message);
    expect(injector.list()).toEqual([]);
  });

  it('returns every matching rule, in the order added', () => {
    const injector = new FaultInjector();
    injector.add({ mode: 'latency', latencyMs: 10 });
    injector.add({ mode: 'throttle', service: 'sts' });
    injector.add({ mode: 'internal-error', operation: 'Decrypt' });
    expect(fires(injector, target())).toEqual(['latency', 'internal-error']);
  });
});

describe('FaultInjector firing', () => {
  it('fires a rule at most once per request', () => {
    const injector = new FaultInjector();
    const rule = injector.add({ mode: 'throttle' });
    const firedThisRequest = new Set<string>();
    expect(injector.pick(target({ keyArn: undefined }), firedThisRequest).map((r) => r.id)).toEqual([
      rule.id,
    ]);
    expect(injector.pick(target(), firedThisRequest)).toEqual([]);
    expect(firedThisRequest).toEqual(new Set([rule.id]));
    // a new request may fire it again
    expect(injector.pick(target(), new Set())).toHaveLength(1);
    expect(injector.list()[0]!.fired).toBe(2);
  });

  it('lets a key-scoped rule fire once the key is known, within the same request', () => {
    const injector = new FaultInjector();
    injector.add({ mode: 'unavailable', key: KEY_ID });
    const firedThisRequest = new Set<string>();
    expect(injector.pick(target({ keyArn: undefined }), firedThisRequest)).toEqual([]);
    expect(injector.pick(target(), firedThisRequest).map((rule) => rule.mode)).toEqual(['unavailable']);
  });

  it('retires a rule after `times` firings', () => {
    const injector = new FaultInjector();
    injector.add({ mode: 'reset', times: 2 });
    expect(fires(injector, target())).toEqual(['reset']);
    expect(injector.list()).toHaveLength(1);
    expect(fires(injector, target())).toEqual(['reset']);
    expect(injector.list()).toEqual([]);
    expect(fires(injector, target())).toEqual([]);
  });

  it('does not count a rule that did not match towards `times`', () => {
    const injector = new FaultInjector();
    injector.add({ mode: 'reset', times: 1, operation: 'Encrypt' });
    expect(fires(injector, target())).toEqual([]);
    expect(injector.list()[0]!.fired).toBe(0);
    expect(fires(injector, target({ operation: 'Encrypt' }))).toEqual(['reset']);
    expect(injector.list()).toEqual([]);
  });

  it('fires a share of calls with `probability`, drawing from the injected random source', () => {
    const random = sequence(0.1, 0.6, 0.49, 0.5, 0.99);
    const injector = new FaultInjector(random.next);
    injector.add({ mode: 'throttle', probability: 0.5 });
    const results = Array.from({ length: 5 }, () => fires(injector, target()).length);
    expect(results).toEqual([1, 0, 1, 0, 0]);
    expect(random.calls).toBe(5);
    expect(injector.list()[0]!.fired).toBe(2);
  });

  it('draws once per request: a rule that lost its draw does not get another chance later in the request', () => {
    const random = sequence(0.9, 0.1);
    const injector = new FaultInjector(random.next);
    injector.add({ mode: 'throttle', probability: 0.5 });
    const firedThisRequest = new Set<string>();
    expect(injector.pick(target({ keyArn: undefined }), firedThisRequest)).toEqual([]);
    expect(injector.pick(target(), firedThisRequest)).toEqual([]);
    expect(random.calls).toBe(1);
    // the next request draws again (0.1 < 0.5: fires)
    expect(fires(injector, target())).toEqual(['throttle']);
  });

  it('does not draw for certain rules or for rules that do not match', () => {
    const random = sequence(0.99);
    const injector = new FaultInjector(random.next);
    injector.add({ mode: 'throttle' });
    injector.add({ mode: 'reset', probability: 0.5, service: 'sts' });
    expect(fires(injector, target())).toEqual(['throttle']);
    expect(random.calls).toBe(0);
  });

  it('never fires with probability 0', () => {
    const injector = new FaultInjector(() => 0);
    injector.add({ mode: 'throttle', probability: 0 });
    expect(fires(injector, target())).toEqual([]);
  });

  it('returns copies: changing them does not change the rule', () => {
    const injector = new FaultInjector();
    const added = injector.add({ mode: 'throttle', times: 5 });
    added.fired = 99;
    injector.pick(target(), new Set())[0]!.fired = 42;
    injector.list()[0]!.fired = 7;
    expect(injector.list()[0]!.fired).toBe(1);
  });
});

describe('FaultInjector rules', () => {
  it('fills in defaults and an id', () => {
    const injector = new FaultInjector();
    const rule = injector.add({ mode: 'latency', latencyMs: 250, operation: 'Encrypt' });
    expect(rule).toEqual({
      mode: 'latency',
      latencyMs: 250,
      operation: 'Encrypt',
      probability: 1,
      id: rule.id,
      fired: 0,
    });
    expect(rule.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(injector.add({ mode: 'throttle' }).id).not.toBe(rule.id);
  });

  it('removes one rule by id, or all', () => {
    const injector = new FaultInjector();
    const first = injector.add({ mode: 'throttle' });
    const second = injector.add({ mode: 'reset' });
    expect(injector.remove(first.id)).toBe(true);
    expect(injector.remove(first.id)).toBe(false);
    expect(injector.list().map((rule) => rule.id)).toEqual([second.id]);
    injector.clear();
    expect(injector.list()).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown mode', { mode: 'explode' }, 'mode'],
    ['latency without latencyMs', { mode: 'latency' }, 'latency faults need latencyMs'],
    ['a negative latency', { mode: 'latency', latencyMs: -1 }, 'latencyMs'],
    ['a latency beyond ten minutes', { mode: 'latency', latencyMs: 600_001 }, 'latencyMs'],
    ['an unknown service', { mode: 'throttle', service: 's3' }, 'service'],
    ['a bad account', { mode: 'throttle', account: '1234' }, 'account must be a 12-digit AWS account ID'],
    ['a probability above 1', { mode: 'throttle', probability: 1.5 }, 'probability'],
    ['a negative probability', { mode: 'throttle', probability: -0.1 }, 'probability'],
    ['zero times', { mode: 'throttle', times: 0 }, 'times'],
    ['fractional times', { mode: 'throttle', times: 1.5 }, 'times'],
    ['an empty operation', { mode: 'throttle', operation: '' }, 'operation'],
    ['an unknown field', { mode: 'throttle', operations: ['Decrypt'] }, 'operations'],
  ])('refuses %s', (_label, input, mentions) => {
    const injector = new FaultInjector();
    let thrown: unknown;
    try {
      injector.add(input as FaultRuleInput);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(z.ZodError);
    const issues = (thrown as z.ZodError).issues;
    expect(issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')).toContain(mentions);
    expect(injector.list()).toEqual([]);
  });
});
