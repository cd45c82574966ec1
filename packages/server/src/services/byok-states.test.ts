import { describe, expect, it } from 'vitest';
import { allowedEvents, BYOK_STATES, ByokStateConflict, transition, type ByokEvent } from './byok-states.js';

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
});
