/** A policy document, parsed and normalised: every list is an array, every value a string. */
export type Effect = 'Allow' | 'Deny';

export interface PrincipalSpec {
  /** `"Principal": "*"` or `{"AWS": "*"}`: anyone. */
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
}

/** operator (e.g. "ForAnyValue:StringLikeIfExists") → context key → values. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export interface Statement {
  sid?: string;
  effect: Effect;
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  condition: ConditionBlock;
}

export interface Policy {
  version?: string;
  id?: string;
  statements: Statement[];
}

/** Where a policy is attached, which decides what it may and must contain. */
export type PolicyKind = 'identity' | 'trust' | 'key' | 'session';
