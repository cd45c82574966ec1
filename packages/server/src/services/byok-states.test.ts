import { describe, expect, it } from 'vitest';
import {
  allowedEvents,
  BYOK_STATES,
  ByokStateConflict,
  CMK_STATES,
  transition,
  type ByokEvent,
} from './byok-states.js';

describe('BYOK lifecycle (ARCHITECTURE §3)', () => {
  it('follows the documented path: not_configured → pending → validated → active → degraded | revoked → active', () => {
    const path: Array<[ByokEvent, string]> = [
      ['issue_external_id', 'pending'],
      ['configure', 'pending'],
      ['test_passed', 'validated'],
      ['enable', 'active'],
      ['health_unreachable', 'degraded'],
      ['health_ok', 'active'],
      ['health_denied', 'revoked'],
      ['health_ok', 'active'],
      ['switch_cmk', 'rotating_cmk'],
      ['switch_done', 'active'],
      ['revert', 'reverting'],
      ['revert_done', 'platform_managed'],
    ];
    let state = transition('not_configured', path[0]![0]);
    expect(state).toBe(path[0]![1]);
    for (const [event, expected] of path.slice(1)) {
      state = transition(state, event);
      expect(state).toBe(expected);
    }
  });

  it('enables only after a passing test, and a new configuration or External ID needs a new test', () => {
    expect(() => transition('pending', 'enable')).toThrow(ByokStateConflict);
    expect(transition('validated', 'configure')).toBe('pending');
    expect(transition('validated', 'issue_external_id')).toBe('pending');
    expect(transition('validated', 'test_failed')).toBe('pending');
  });

  it('a revoked tenant never goes back to active on an outage, only when access returns', () => {
    expect(transition('revoked', 'health_unreachable')).toBe('revoked');
    expect(transition('revoked', 'health_ok')).toBe('active');
  });

  it('refuses what the current state does not allow with a 409 naming the state', () => {
    const error = (() => {
      try {
        transition('active', 'configure');
      } catch (caught) {
        return caught as ByokStateConflict;
      }
      throw new Error('expected a conflict');
    })();
    expect(error).toMatchObject({
      code: 'KW_STATE_CONFLICT',
      status: 409,
      state: 'active',
      event: 'configure',
      message: 'Cannot configure while BYOK is active.',
    });
  });

  it('every state has a way out (no dead ends)', () => {
    for (const state of BYOK_STATES) {
      if (state === 'rotating_cmk') expect(transition(state, 'switch_done')).toBe('active');
      else if (state === 'reverting') expect(transition(state, 'revert_done')).toBe('platform_managed');
      else expect(allowedEvents(state).length, state).toBeGreaterThan(0);
    }
  });

  it('lists only what a caller can request, never outcomes, and only abort while keys are moving', () => {
    expect(allowedEvents('validated')).toEqual(['issue_external_id', 'configure', 'test', 'enable']);
    expect(allowedEvents('active')).toEqual(['test', 'switch_cmk', 'revert']);
    expect(allowedEvents('rotating_cmk')).toEqual(['abort']);
    expect(allowedEvents('reverting')).toEqual(['abort']);
  });

  it('completion events go through the machine: a job ends its holding state only from that state', () => {
    expect(transition('validated', 'enable')).toBe('active');
    expect(transition('reverting', 'revert_done', 'revoked')).toBe('platform_managed');
    expect(() => transition('active', 'switch_done')).toThrow(ByokStateConflict);
    expect(() => transition('rotating_cmk', 'revert_done')).toThrow(ByokStateConflict);
    expect(() => transition('active', 'switch_failed')).toThrow(ByokStateConflict);
    expect(() => transition('reverting', 'switch_failed')).toThrow(ByokStateConflict);
  });

  it('a finished switch, a failed switch or revert, and an abort return to the state held from', () => {
    expect(transition('rotating_cmk', 'switch_done', 'active')).toBe('active');
    expect(transition('rotating_cmk', 'switch_failed', 'active')).toBe('active');
    expect(transition('reverting', 'revert_failed', 'revoked')).toBe('revoked');
    expect(transition('reverting', 'abort', 'degraded')).toBe('degraded');
    // A row held before held_from existed goes back to active.
    expect(transition('reverting', 'revert_failed', null)).toBe('active');
  });

  it('a platform root rotation re-wraps only tenants the platform key wraps, and changes no state', () => {
    for (const state of ['not_configured', 'pending', 'validated', 'platform_managed'] as const)
      expect(transition(state, 'platform_rewrap')).toBe(state);
    for (const state of CMK_STATES)
      expect(() => transition(state, 'platform_rewrap')).toThrow(ByokStateConflict);
  });
});
