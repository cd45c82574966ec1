import { describe, expect, it } from 'vitest';
import { Trail, type TrailEvent } from './trail.js';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/a';
const KEY_B = 'arn:aws:kms:us-east-1:444455556666:key/b';
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const SERVICE = 'arn:aws:sts::111122223333:assumed-role/keyward-service/s';

let counter = 0;
function event(overrides: Partial<TrailEvent> = {}): TrailEvent {
  counter++;
  return {
    eventId: `e${counter}`,
    eventTime: new Date(Date.UTC(2024, 0, 1, 0, 0, counter)).toISOString(),
    requestId: `r${counter}`,
    service: 'kms',
    operation: 'Decrypt',
    region: 'us-east-1',
    account: '111122223333',
    callerAccount: '111122223333',
    principalArn: ADMIN,
    keyArn: KEY_A,
    resources: [],
    outcome: 'success',
    ...overrides,
  };
}

const ids = (events: TrailEvent[]) => events.map((e) => e.eventId);

describe('Trail ring buffer', () => {
  it('keeps only the newest `limit` events, oldest first', () => {
    const trail = new Trail(3);
    const recorded = Array.from({ length: 5 }, (_, i) => event({ eventId: `ring-${i}` }));
    recorded.forEach((e) => trail.record(e));
    expect(ids(trail.query())).toEqual(['ring-2', 'ring-3', 'ring-4']);
  });

  it('keeps everything below the limit', () => {
    const trail = new Trail(10);
    trail.record(event({ eventId: 'x' }));
    trail.record(event({ eventId: 'y' }));
    expect(ids(trail.query())).toEqual(['x', 'y']);
  });

  it('with a limit of 1 keeps only the last event', () => {
    const trail = new Trail(1);
    ['p', 'q', 'r'].forEach((eventId) => trail.record(event({ eventId })));
    expect(ids(trail.query())).toEqual(['r']);
  });

  it('counts events that have left the ring', () => {
    const trail = new Trail(2);
    for (let i = 0; i < 5; i++) trail.record(event());
    expect(trail.counts()['kms:Decrypt']!.calls).toBe(5);
  });
});

describe('Trail.query', () => {
  const trail = new Trail(100);
  const events = [
    event({ eventId: 'kms-ok', eventTime: '2024-01-01T00:00:01.000Z' }),
    event({
      eventId: 'kms-denied',
      eventTime: '2024-01-01T00:00:02.000Z',
      outcome: 'error',
      errorCode: 'AccessDeniedException',
      principalArn: SERVICE,
    }),
    event({
      eventId: 'kms-cross',
      eventTime: '2024-01-01T00:00:03.000Z',
      operation: 'Encrypt',
      account: '444455556666',
      callerAccount: '111122223333',
      keyArn: KEY_B,
      principalArn: SERVICE,
    }),
    event({
      eventId: 'sts',
      eventTime: '2024-01-01T00:00:04.000Z',
      service: 'sts',
      operation: 'AssumeRole',
      account: '444455556666',
      callerAccount: '111122223333',
      keyArn: undefined,
      resources: ['arn:aws:iam::444455556666:role/byok'],
    }),
    event({
      eventId: 'fault',
      eventTime: '2024-01-01T00:00:05.000Z',
      outcome: 'fault',
      errorCode: 'ThrottlingException',
      account: '444455556666',
      callerAccount: '444455556666',
      principalArn: 'arn:aws:iam::444455556666:user/admin',
      keyArn: KEY_B,
    }),
  ];
  events.forEach((e) => trail.record(e));

  it.each<[string, Parameters<Trail['query']>[0], string[]]>([
    ['no filter', {}, ['kms-ok', 'kms-denied', 'kms-cross', 'sts', 'fault']],
    ['service', { service: 'sts' }, ['sts']],
    ['operation', { operation: 'Decrypt' }, ['kms-ok', 'kms-denied', 'fault']],
    ['service and operation', { service: 'kms', operation: 'Encrypt' }, ['kms-cross']],
    ['account: resource owner or caller', { account: '444455556666' }, ['kms-cross', 'sts', 'fault']],
    ['account: caller side', { account: '111122223333' }, ['kms-ok', 'kms-denied', 'kms-cross', 'sts']],
    ['keyArn', { keyArn: KEY_B }, ['kms-cross', 'fault']],
    ['principalArn', { principalArn: SERVICE }, ['kms-denied', 'kms-cross']],
    ['outcome error', { outcome: 'error' }, ['kms-denied']],
    ['outcome fault', { outcome: 'fault' }, ['fault']],
    ['outcome success', { outcome: 'success' }, ['kms-ok', 'kms-cross', 'sts']],
    ['since (inclusive)', { since: '2024-01-01T00:00:03.000Z' }, ['kms-cross', 'sts', 'fault']],
    [
      'since, another notation of the same instant',
      { since: '2024-01-01T01:00:03+01:00' },
      ['kms-cross', 'sts', 'fault'],
    ],
    ['since after everything', { since: '2030-01-01T00:00:00Z' }, []],
    ['limit keeps the newest', { limit: 2 }, ['sts', 'fault']],
    ['limit larger than the matches', { limit: 50 }, ['kms-ok', 'kms-denied', 'kms-cross', 'sts', 'fault']],
    ['limit 0', { limit: 0 }, []],
    ['limit applies after filtering', { service: 'kms', limit: 2 }, ['kms-cross', 'fault']],
    ['filters combine', { service: 'kms', principalArn: SERVICE, outcome: 'success' }, ['kms-cross']],
    ['nothing matches', { service: 'iam' }, []],
  ])('%s', (_label, query, expected) => {
    expect(ids(trail.query(query))).toEqual(expected);
  });

  it('returns events as recorded', () => {
    expect(trail.query({ service: 'sts' })[0]).toEqual(events[3]);
  });
});

describe('Trail counters', () => {
  it('counts calls, successes, errors and faults per service:operation, with error codes', () => {
    const trail = new Trail(100);
    trail.record(event());
    trail.record(event());
    trail.record(event({ outcome: 'error', errorCode: 'AccessDeniedException' }));
    trail.record(event({ outcome: 'error', errorCode: 'InvalidCiphertextException' }));
    trail.record(event({ outcome: 'error', errorCode: 'AccessDeniedException' }));
    trail.record(event({ outcome: 'fault', errorCode: 'ThrottlingException' }));
    trail.record(event({ outcome: 'fault' }));
    trail.record(event({ service: 'sts', operation: 'AssumeRole' }));
    expect(trail.counts()).toEqual({
      'kms:Decrypt': {
        calls: 7,
        success: 2,
        errors: 3,
        faults: 2,
        errorCodes: { AccessDeniedException: 2, InvalidCiphertextException: 1, ThrottlingException: 1 },
      },
      'sts:AssumeRole': { calls: 1, success: 1, errors: 0, faults: 0, errorCodes: {} },
    });
  });

  it('hands out copies of the counters', () => {
    const trail = new Trail(10);
    trail.record(event({ outcome: 'error', errorCode: 'X' }));
    const snapshot = trail.counts();
    snapshot['kms:Decrypt']!.calls = 100;
    snapshot['kms:Decrypt']!.errorCodes.X = 100;
    expect(trail.counts()['kms:Decrypt']).toEqual({
      calls: 1,
      success: 0,
      errors: 1,
      faults: 0,
      errorCodes: { X: 1 },
    });
  });

  it('clear() empties events and counters', () => {
    const trail = new Trail(10);
    trail.record(event());
    trail.clear();
    expect(trail.query()).toEqual([]);
    expect(trail.counts()).toEqual({});
    trail.record(event({ eventId: 'after' }));
    expect(ids(trail.query())).toEqual(['after']);
    expect(trail.counts()['kms:Decrypt']!.calls).toBe(1);
  });
});
