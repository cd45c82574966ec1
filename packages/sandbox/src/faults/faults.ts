import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isKnownOperation } from '../operation-names.js';
import { ACCOUNT_ID_PATTERN } from '../arn.js';

const KEY_REFERENCE =
  /^(arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * Fault injection for reliability tests: slow calls down, throttle a share of them, or make an
 * operation, a key or an account unreachable (dropped connection or a 5xx). A rule matches on
 * every field it names; `probability` picks a share of matching calls; `times` limits how often
 * it fires before it retires itself.
 */
export const FAULT_MODES = ['latency', 'throttle', 'reset', 'unavailable', 'internal-error'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const faultRuleInput = z
  .object({
    mode: z.enum(FAULT_MODES),
    service: z.enum(['kms', 'sts', 'iam']).optional(),
    operation: z.string().min(1).optional(),
    account: z.string().regex(ACCOUNT_ID_PATTERN, 'account must be a 12-digit AWS account ID').optional(),
    /** A key ID or key ARN. */
    key: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    probability: z.number().min(0).max(1).default(1),
    times: z.number().int().positive().optional(),
  })
  .strict()
  .refine((rule) => rule.mode !== 'latency' || rule.latencyMs !== undefined, {
    message: 'latency faults need latencyMs',
  })
  /* A rule that can never fire would let a fault test pass without faulting anything: refuse it. */
  .refine((rule) => rule.operation === undefined || isKnownOperation(rule.service, rule.operation), {
    message:
      'operation must be an operation name the sandbox serves, such as Decrypt or AssumeRole (for the service, if one is given)',
    path: ['operation'],
  })
  .refine((rule) => rule.key === undefined || KEY_REFERENCE.test(rule.key), {
    message: 'key must be a key ID or key ARN (aliases are not resolved)',
    path: ['key'],
  });

export type FaultRuleInput = z.input<typeof faultRuleInput>;

export interface FaultRule extends z.output<typeof faultRuleInput> {
  id: string;
  fired: number;
}

/** What a request looks like to fault matching, as far as it is known at that point. */
export interface FaultTarget {
  service: string;
  operation: string;
  region: string;
  /** Accounts involved: the caller's and, once resolved, the resource owner's. */
  accounts: string[];
  keyArn?: string;
}

export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...faultRuleInput.parse(input), id: randomUUID(), fired: 0 };
    this.rules.push(rule);
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules that fire for this target, skipping those already fired for this request. */
  pick(target: FaultTarget, alreadyFired: Set<string>): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (alreadyFired.has(rule.id) || !matches(rule, target)) continue;
      /* One draw per request: a rule that lost its draw gets no second chance at a later touch(). */
      alreadyFired.add(rule.id);
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.fired++;
      fired.push({ ...rule });
    }
    this.rules = this.rules.filter((rule) => rule.times === undefined || rule.fired < rule.times);
    return fired;
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.service !== undefined && rule.service !== target.service) return false;
  if (rule.operation !== undefined && rule.operation !== target.operation) return false;
  if (rule.region !== undefined && rule.region !== target.region) return false;
  if (rule.account !== undefined && !target.accounts.includes(rule.account)) return false;
  if (rule.key !== undefined) {
    if (!target.keyArn) return false;
    if (rule.key !== target.keyArn && !target.keyArn.endsWith(`:key/${rule.key}`)) return false;
  }
  return true;
}
