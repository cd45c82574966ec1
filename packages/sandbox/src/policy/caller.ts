import type { Tag } from '../state/types.js';
import type { Policy } from './types.js';

/** The authenticated principal behind a request, as policy evaluation sees it. */
export interface Caller {
  kind: 'user' | 'assumed-role';
  partition: string;
  account: string;
  /** The user ARN, or the assumed-role session ARN. */
  arn: string;
  /** `aws:PrincipalArn`: the user ARN, or the role ARN (with its path) for a role session. */
  principalArn: string;
  /** `aws:userid`: AIDA… for users, AROA…:<session> for role sessions. */
  userId: string;
  userName?: string;
  roleName?: string;
  sessionName?: string;
  accessKeyId: string;
  sourceIdentity?: string;
  tags: Tag[];
  /** AssumeRole's session policies: they limit, never extend, what identity policies grant. */
  sessionPolicies?: Policy[];
  /** Credentials that came from AssumeRole called by a role session. */
  chained: boolean;
}

/** How a resource policy's Principal element matched the caller. */
export type PrincipalMatch = 'session' | 'direct' | 'account';

export const principalType = (caller: Caller): string => (caller.kind === 'user' ? 'User' : 'AssumedRole');
