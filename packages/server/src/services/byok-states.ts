import { KeywardError } from '@keyward/core';

/**
 * A tenant's BYOK lifecycle (ARCHITECTURE §3). Every change of state goes through `transition`, so
 * a request that is not allowed from the current state is refused with that state, before anything
 * is written.
 */
export const BYOK_STATES = [
  'not_configured',
  'pending',
  'validated',
  'active',
  'degraded',
  'revoked',
  'rotating_cmk',
  'reverting',
  'platform_managed',
] as const;
export type ByokState = (typeof BYOK_STATES)[number];

export type ByokEvent =
  | 'issue_external_id'
  | 'configure'
  | 'test'
  | 'test_passed'
  | 'test_failed'
  | 'enable'
  | 'health_denied'
  | 'health_unreachable'
  | 'health_ok'
  | 'switch_cmk'
  | 'switch_done'
  | 'switch_failed'
  | 'revert'
  | 'revert_done'
  | 'revert_failed'
  | 'platform_rewrap'
  | 'abort';

/** From each state, the events allowed and where they lead. */
// `platform_rewrap` is a platform root key rotation re-wrapping the tenant's keys: allowed only while
// the platform key wraps them, and it changes no state.
const TRANSITIONS: Record<ByokState, Partial<Record<ByokEvent, ByokState>>> = {
  not_configured: { issue_external_id: 'pending', platform_rewrap: 'not_configured' },
  platform_managed: { issue_external_id: 'pending', platform_rewrap: 'platform_managed' },
  pending: {
    platform_rewrap: 'pending',
    issue_external_id: 'pending',
    configure: 'pending',
    test: 'pending',
    test_passed: 'validated',
    test_failed: 'pending',
  },
  validated: {
    platform_rewrap: 'validated',
    issue_external_id: 'pending',
    configure: 'pending',
    test: 'validated',
    test_passed: 'validated',
    test_failed: 'pending',
    enable: 'active',
  },
  active: {
    test: 'active',
    health_denied: 'revoked',
    health_unreachable: 'degraded',
    health_ok: 'active',
    switch_cmk: 'rotating_cmk',
    revert: 'reverting',
  },
  degraded: {
    test: 'degraded',
    health_denied: 'revoked',
    health_unreachable: 'degraded',
    health_ok: 'active',
    revert: 'reverting',
  },
  revoked: {
    test: 'revoked',
    health_ok: 'active',
    health_denied: 'revoked',
    health_unreachable: 'revoked',
    revert: 'reverting',
  },
  // A finished switch, a failed switch or revert, and the operator's `abort` of an interrupted one
  // return to the state it started from (byok_configs.held_from, see RETURNS_TO_HELD); `active` is
  // the target named here, for a row held before held_from existed.
  rotating_cmk: { switch_done: 'active', switch_failed: 'active', abort: 'active' },
  reverting: { revert_done: 'platform_managed', revert_failed: 'active', abort: 'active' },
};

/** The states that hold a tenant while its keys move to another root (held_from says where from). */
export const HOLDING_STATES: readonly ByokState[] = ['rotating_cmk', 'reverting'];

/** Events that end a holding state by going back to where it was held from. */
const RETURNS_TO_HELD: readonly ByokEvent[] = ['switch_done', 'switch_failed', 'revert_failed', 'abort'];

/** KW_STATE_CONFLICT (409), naming the current state and what it allows. */
export class ByokStateConflict extends KeywardError {
  constructor(
    readonly state: ByokState,
    readonly event: ByokEvent,
  ) {
    super('KW_STATE_CONFLICT', {
      message: `Cannot ${event.replaceAll('_', ' ')} while BYOK is ${state.replaceAll('_', ' ')}.`,
      details: { state, operation: event, allowed: allowedEvents(state) },
    });
  }
}

/**
 * Where `event` leads from `state`, or KW_STATE_CONFLICT. `heldFrom` is the row's held_from: the
 * events that end a holding state return there (or to the named target when there is none).
 */
export function transition(state: ByokState, event: ByokEvent, heldFrom: ByokState | null = null): ByokState {
  const next = TRANSITIONS[state][event];
  if (next === undefined) throw new ByokStateConflict(state, event);
  return RETURNS_TO_HELD.includes(event) ? (heldFrom ?? next) : next;
}

/** What a caller can ask for (the rest are outcomes: test_passed, health_*, *_done, *_failed, platform_rewrap). */
const REQUESTABLE: readonly ByokEvent[] = [
  'issue_external_id',
  'configure',
  'test',
  'enable',
  'switch_cmk',
  'revert',
  'abort',
];

/** The operations a caller may request in this state. */
export function allowedEvents(state: ByokState): ByokEvent[] {
  return (Object.keys(TRANSITIONS[state]) as ByokEvent[]).filter((event) => REQUESTABLE.includes(event));
}

/** States in which the tenant's keys are wrapped by the customer's CMK (data plane fails closed on it). */
export const CMK_STATES: readonly ByokState[] = [
  'active',
  'degraded',
  'revoked',
  'rotating_cmk',
  'reverting',
];
