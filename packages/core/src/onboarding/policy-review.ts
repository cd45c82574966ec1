/**
 * A static review of the customer's trust policy, the role's permissions policies and the CMK's
 * key policy, for `keyward verify`: the customer's own credentials cannot assume the role (it
 * trusts only the platform's Service Role), but they can read the documents. The review follows
 * IAM's rules where it can evaluate them and fails closed (or warns) where it cannot.
 */
import { parseArn } from '../aws/arns.js';
import type { Artifact } from './diagnoses.js';
import {
  hardenedKeyPolicyStatements,
  hardenedPermissionsPolicy,
  keyPolicyStatement,
  permissionsPolicy,
  trustPolicy,
} from './policies.js';
import {
  allowed,
  covers,
  definite,
  externalIdCheck,
  grantLabels,
  keyAccess,
  namesAccountOf,
  OPTIONAL_ACTIONS,
  parsePolicy,
  perStatement,
  principalMatch,
  REQUIRED_ACTIONS,
  type Access,
  type ParsedPolicy,
  type Statement,
  type Who,
} from './policy-review-match.js';

export interface PolicyReviewInput {
  /** The principal the trust policy must trust. */
  serviceRoleArn: string;
  externalId: string;
  /** The customer's role, arn:aws:iam::<account>:role/<optional path/><name>. */
  roleArn: string;
  keyArn: string;
  /** The value of kms:EncryptionContext:keyward:tenant on the data plane's calls. */
  tenantId: string;
  /** Each document parsed, as JSON text, or URL-encoded JSON text (as IAM's GetRole returns it). */
  trustPolicy: unknown;
  /** The role's inline and attached managed policies. */
  rolePolicies: { name: string; document: unknown }[];
  keyPolicy: unknown;
}

export type ReviewId = 'trust-principal' | 'trust-external-id' | 'permissions-policy' | 'key-policy';

export interface ReviewFinding {
  id: ReviewId;
  title: string;
  status: 'pass' | 'fail' | 'warn';
  /** What was observed, naming statements. */
  message: string;
  /** What to change, naming the kit artifact and the guide step; null on pass. */
  remediation: string | null;
  artifact: Artifact;
}

const TITLES: Record<ReviewId, string> = {
  'trust-principal': "The trust policy trusts the platform's Service Role",
  'trust-external-id': "The trust policy requires this tenant's External ID",
  'permissions-policy': "The role's permissions policy allows the key actions",
  'key-policy': 'The key policy allows the role',
};
const ARTIFACTS: Record<ReviewId, Artifact> = {
  'trust-principal': 'trust-policy',
  'trust-external-id': 'trust-policy',
  'permissions-policy': 'permissions-policy',
  'key-policy': 'key-policy-statement',
};

interface Issue {
  level: 'fail' | 'warn';
  says: string;
  fix: string;
}

const json = (value: unknown): string => JSON.stringify(value);
const names = (labels: Iterable<string>): string => [...new Set(labels)].join(', ');

/** Failures first in both the message and the remediation, then warnings, then plain observations. */
function finding(id: ReviewId, facts: string[], issues: Issue[]): ReviewFinding {
  const ordered = [...issues.filter((i) => i.level === 'fail'), ...issues.filter((i) => i.level === 'warn')];
  const status = ordered[0]?.level ?? 'pass';
  const remediation = status === 'pass' ? null : [...new Set(ordered.map((i) => i.fix))].join(' ');
  return {
    id,
    title: TITLES[id],
    status,
    message: [...ordered.map((i) => i.says), ...facts].join(' '),
    remediation,
    artifact: ARTIFACTS[id],
  };
}

const unreadable = (id: ReviewId, what: string, reason: string, fix: string): ReviewFinding =>
  finding(id, [], [{ level: 'fail', says: `The ${what} could not be read: ${reason}.`, fix }]);

export function reviewPolicies(input: PolicyReviewInput): ReviewFinding[] {
  const trust = parsePolicy(input.trustPolicy);
  const keyPolicy = parsePolicy(input.keyPolicy);
  return [
    reviewTrustPrincipal(input, trust),
    reviewExternalId(input, trust),
    reviewPermissions(input, keyPolicy),
    reviewKeyPolicy(input, keyPolicy),
  ];
}

/** The role's and the key's accounts, and whether they are the same (KMS then lets the key policy alone authorize the role). */
function accounts(input: PolicyReviewInput): { role: string; key: string; same: boolean } {
  const role = parseArn(input.roleArn)?.accountId ?? '';
  const key = parseArn(input.keyArn)?.accountId ?? '';
  return { role, key, same: role !== '' && role === key };
}

const trustFix = (input: PolicyReviewInput): string =>
  `Use the trust policy from step 3 of the setup guide: it trusts only ${input.serviceRoleArn} and requires sts:ExternalId = ${input.externalId}: ${json(trustPolicy(input.serviceRoleArn, input.externalId))}`;

/** A Deny needs no Allow to take effect, so one that may match is reported even when an Allow exists. */
function denyIssue(
  statement: Statement,
  sure: boolean,
  what: string,
  target: string,
  document: string,
): Issue {
  if (sure) {
    return {
      level: 'fail',
      says: `The ${document} denies ${what} to ${target} (${statement.label}).`,
      fix: `Remove or narrow the Deny ${statement.label} in the ${document} (step 3) so it does not deny ${what} to ${target}.`,
    };
  }
  return {
    level: 'warn',
    says: `The ${document} may deny ${what} to ${target} (${statement.label}: NotAction, NotResource, NotPrincipal or a condition, which this review does not evaluate).`,
    fix: `Check that the Deny ${statement.label} in the ${document} (step 3) does not deny ${what} to ${target}.`,
  };
}

function reviewTrustPrincipal(input: PolicyReviewInput, trust: ParsedPolicy): ReviewFinding {
  const fix = trustFix(input);
  if (!trust.ok) return unreadable('trust-principal', 'trust policy', trust.reason, fix);
  const facts: string[] = [];
  const issues: Issue[] = [];
  const named: Statement[] = [];
  let trusted = false;
  for (const statement of trust.statements) {
    const applies = covers(statement, 'sts:AssumeRole');
    const who = principalMatch(statement, input.serviceRoleArn);
    if (applies === 'no' || who === 'no') continue;
    if (statement.effect === 'Deny') {
      issues.push(
        denyIssue(
          statement,
          definite(statement, applies, who),
          'sts:AssumeRole',
          input.serviceRoleArn,
          'trust policy',
        ),
      );
    } else if (applies === 'maybe' || who === 'maybe') {
      facts.push(
        `${statement.label} uses NotAction or NotPrincipal, so it was not counted as trusting the Service Role.`,
      );
    } else if (who === 'anyone') {
      trusted = true;
      const conditions =
        statement.conditions.length > 0 ? ' (its conditions do not change that the principal is anyone)' : '';
      issues.push({
        level: 'fail',
        says: `The trust policy allows any AWS principal to assume the role (Principal "*", ${statement.label})${conditions}.`,
        fix: `Name only the Service Role as the principal. ${fix}`,
      });
    } else if (who === 'account') {
      trusted = true;
      issues.push({
        level: 'warn',
        says: `The trust policy trusts the whole platform account ${parseArn(input.serviceRoleArn)?.accountId ?? ''} (${statement.label}): it works, but any principal of that account allowed sts:AssumeRole can assume the role.`,
        fix: `Name the Service Role ${input.serviceRoleArn} as the principal instead of the account root. ${fix}`,
      });
    } else {
      named.push(statement);
    }
  }
  if (named.length > 0) {
    facts.unshift(`The trust policy allows ${input.serviceRoleArn} (${names(named.map((s) => s.label))}).`);
    const others = (s: Statement) =>
      s.conditions
        .filter((c) => c.key.toLowerCase() !== 'sts:externalid')
        .map((c) => `${c.operator} ${c.key}`);
    if (named.every((s) => others(s).length > 0)) {
      issues.push({
        level: 'warn',
        says: `Every statement trusting the Service Role also has conditions other than sts:ExternalId (${names(named.flatMap(others))}), which this review does not evaluate; the platform sets no SourceIdentity and no session tags.`,
        fix: `Check that those conditions hold for the platform's AssumeRole call, or ${fix[0]!.toLowerCase()}${fix.slice(1)}`,
      });
    }
  } else if (!trusted) {
    const deleted = trust.statements
      .flatMap((s) => s.principals ?? [])
      .filter((p) => /^AROA[A-Z0-9]+$/.test(p));
    const hint =
      deleted.length > 0
        ? ` (${names(deleted)} is the unique id IAM shows for a trusted role that was deleted.)`
        : '';
    issues.push({
      level: 'fail',
      says: `No statement of the trust policy allows ${input.serviceRoleArn} to call sts:AssumeRole: the platform cannot assume the role.${hint}`,
      fix,
    });
  }
  return finding('trust-principal', facts, issues);
}

/**
 * Every Allow that may let the Service Role (or its account, or anyone) assume the role must
 * require the External ID, or the role is open to the confused deputy. NotAction/NotPrincipal
 * Allows are included here: for this security property, "may allow" must also require it.
 */
function reviewExternalId(input: PolicyReviewInput, trust: ParsedPolicy): ReviewFinding {
  const { externalId } = input;
  const fix = `Make the trust policy require this tenant's External ID exactly (step 3): every statement that allows ${input.serviceRoleArn} needs {"StringEquals":{"sts:ExternalId":"${externalId}"}}. ${trustFix(input)}`;
  if (!trust.ok) return unreadable('trust-external-id', 'trust policy', trust.reason, fix);
  const relevant = trust.statements.filter(
    (s) =>
      s.effect === 'Allow' &&
      covers(s, 'sts:AssumeRole') !== 'no' &&
      principalMatch(s, input.serviceRoleArn) !== 'no',
  );
  if (relevant.length === 0) {
    return finding(
      'trust-external-id',
      [],
      [
        {
          level: 'fail',
          says: `Could not be checked: no statement of the trust policy lets ${input.serviceRoleArn} assume the role.`,
          fix,
        },
      ],
    );
  }
  const facts: string[] = [];
  const issues: Issue[] = [];
  for (const statement of relevant) {
    const check = externalIdCheck(statement, externalId);
    if (check.kind === 'exact') {
      const via =
        check.via === undefined
          ? ''
          : `, with ${check.via}, which on the single-valued sts:ExternalId acts as ${check.via.slice('ForAnyValue:'.length)}`;
      facts.push(`The trust policy requires sts:ExternalId = ${externalId} (${statement.label}${via}).`);
    } else if (check.kind === 'any-case') {
      issues.push({
        level: 'warn',
        says: `The trust policy requires External ID ${externalId} with ${names(check.operators)} (${statement.label}): it works, but it also accepts the ID in other casings; use StringEquals.`,
        fix,
      });
    } else if (check.kind === 'broad') {
      issues.push({
        level: 'warn',
        says: `The trust policy accepts External ID ${externalId} but also ${names(check.others)} (${statement.label}): other External IDs work too.`,
        fix,
      });
    } else if (check.kind === 'wrong') {
      issues.push({
        level: 'fail',
        says: `The trust policy requires External ID ${names(check.values)} (${statement.label}); this tenant's is ${externalId}.`,
        fix,
      });
    } else {
      const how =
        check.operators.length === 0
          ? 'has no sts:ExternalId condition'
          : `tests sts:ExternalId only with ${names(check.operators)}, which does not require it (IfExists and ForAllValues: pass a request without one; StringLike "*" accepts any)`;
      issues.push({
        level: 'fail',
        says: `Insecure: ${statement.label} of the trust policy ${how}, so the role can be assumed without the External ID (confused-deputy risk).`,
        fix,
      });
    }
  }
  return finding('trust-external-id', facts, issues);
}

/** One issue per Deny statement, naming every action it may deny; it fails only for a required action it surely denies. */
const denyIssues = (accesses: Map<string, Access>, document: string): Issue[] =>
  perStatement(accesses, [...accesses.keys()], (a) => a.denies).map(({ items, actions }) =>
    denyIssue(
      items[0]!.statement,
      items.some((d, i) => d.sure && REQUIRED_ACTIONS.includes(actions[i]!)),
      actions.join(', '),
      'the role on the key',
      document,
    ),
  );

/** Why grants that exist do not count, per statement: a tenant condition for another tenant, or DescribeKey under a context condition. */
function blockedReasons(
  missing: string[],
  accesses: Map<string, Access>,
  tenantId: string,
  kit: KitDocument,
): { says: string; fix: string }[] {
  return perStatement(accesses, missing, (a) => a.blocked).map(({ items, actions }) => {
    const { label, why, values } = items[0]!;
    return why === 'describe-context'
      ? {
          says: ` kms:DescribeKey is allowed only under the encryption-context condition of ${label}, but DescribeKey carries no encryption context: keep kms:DescribeKey in a statement without the condition.`,
          fix: `Keep kms:DescribeKey in a statement without the encryption-context condition, as the hardened ${kit.document} of step 3 does: ${kit.hardened}`,
        }
      : {
          says: ` ${label[0]!.toUpperCase()}${label.slice(1)} allows ${actions.join(', ')} only for tenant ${names(values)} (kms:EncryptionContext:keyward:tenant); this tenant is ${tenantId}.`,
          fix: `Restrict kms:EncryptionContext:keyward:tenant to this tenant, "${tenantId}", in ${label}, as the hardened ${kit.document} of step 3 does: ${kit.hardened}`,
        };
  });
}

/** The kit's document for the finding: its name, the fix when it allows too little, its hardened form; and why a missing grant may be missing. */
interface KitDocument {
  document: string;
  fix: string;
  hardened: string;
  whyMissing?: string;
}

/**
 * The shared verdict of the permissions policy and the key policy on the required and optional
 * actions. `byKeyPolicy` (permissions policy only) is what the key policy allows the role by name
 * when no IAM policy is needed for it: such an action is not missing, and a grant there that has no
 * condition settles it, so conditions in the permissions policy do not matter for it.
 */
function kmsIssues(
  statements: Statement[],
  input: PolicyReviewInput,
  who: (s: Statement) => Who,
  kit: KitDocument,
  byKeyPolicy?: Map<string, Access>,
): { issues: Issue[]; accesses: Map<string, Access>; ignored: Set<string> } {
  const { accesses, ignored } = keyAccess(statements, input.keyArn, input.tenantId, who);
  const issues = denyIssues(accesses, kit.document);
  const elsewhere = (action: string): Access | undefined => byKeyPolicy?.get(action);
  const works = (action: string): boolean =>
    allowed(accesses.get(action)!) || allowed(elsewhere(action) ?? NO_ACCESS);
  const missing = REQUIRED_ACTIONS.filter((action) => !works(action));
  if (missing.length > 0) {
    const reasons = blockedReasons(missing, accesses, input.tenantId, kit);
    const plainlyMissing = missing.some((action) => accesses.get(action)!.blocked.length === 0);
    const fix = [...new Set([...reasons.map((r) => r.fix), ...(plainlyMissing ? [kit.fix] : [])])].join(' ');
    const says = `The ${kit.document} does not allow ${missing.join(', ')} on ${input.keyArn} for the role.${[...new Set(reasons.map((r) => r.says))].join('')}${kit.whyMissing ?? ''}`;
    issues.push({ level: 'fail', says, fix });
  }
  const optional = OPTIONAL_ACTIONS.filter((action) => !works(action));
  if (optional.length > 0) {
    issues.push({
      level: 'warn',
      says: `The ${kit.document} does not allow ${optional.join(', ')} on the key: switching to another CMK re-wraps with ReEncrypt, and is slower without it.`,
      fix: `Allow kms:ReEncrypt* in the ${kit.document}, as the kit's ${kit.document} of step 3 does.`,
    });
  }
  const onlyConditional = [...accesses]
    .filter(([action, a]) => a.granted.length === 0 && (elsewhere(action)?.granted.length ?? 0) === 0)
    .flatMap(([action, a]) => [
      ...a.conditional.map((g) => g.label),
      ...(elsewhere(action)?.conditional ?? []).map((g) => `the key policy's ${g.label}`),
    ]);
  if (onlyConditional.length > 0) {
    issues.push({
      level: 'warn',
      says: `Some actions are allowed only under conditions this review does not evaluate (${names(onlyConditional)}); the platform's calls carry the encryption context keyward:tenant = ${input.tenantId}, and a condition on anything else may not hold for them.`,
      fix: `Check that the conditions of ${names(onlyConditional)} hold for the platform's calls, or use the ${kit.document} of step 3 of the setup guide.`,
    });
  }
  return { issues, accesses, ignored };
}

const NO_ACCESS: Access = { granted: [], conditional: [], blocked: [], denies: [] };

/** "the key actions" when all are allowed, else exactly which, so a partial grant never reads as a pass. */
function allowedActions(accesses: Map<string, Access>): string {
  const actions = [...accesses].filter(([, a]) => allowed(a)).map(([action]) => action);
  return actions.length === accesses.size ? 'the key actions' : `only ${actions.join(', ')}`;
}

const ignoredFact = (ignored: Set<string>): string[] =>
  ignored.size > 0
    ? [
        `Not counted as allowing anything, because they use NotAction, NotResource or NotPrincipal: ${names(ignored)}.`,
      ]
    : [];

/**
 * What the key policy allows the role by name (Principal.AWS is the role's ARN), per action, when
 * the key is in the role's account: KMS then needs no IAM policy for it, the key policy alone
 * authorizes. Undefined otherwise: across accounts, or through the account root (delegation to
 * IAM), the role's own policies must allow the action too. Only the Allows count here; a Deny in the
 * key policy refuses the action whatever IAM says, and is the key-policy finding's to report.
 */
function keyPolicyGrants(input: PolicyReviewInput, keyPolicy: ParsedPolicy): Map<string, Access> | undefined {
  if (!keyPolicy.ok || !accounts(input).same) return undefined;
  return keyAccess(keyPolicy.statements, input.keyArn, input.tenantId, (s) =>
    principalMatch(s, input.roleArn) === 'named' ? 'named' : 'no',
  ).accesses;
}

/**
 * The role's policies must allow each action, except (same account) those the key policy allows the
 * role by name. An identity-policy Deny refuses the action whatever the key policy allows.
 */
function reviewPermissions(input: PolicyReviewInput, keyPolicy: ParsedPolicy): ReviewFinding {
  const fix = `Attach the permissions policy from step 3 of the setup guide to the role ${input.roleArn}: ${json(permissionsPolicy(input.keyArn))}`;
  const byKeyPolicy = keyPolicyGrants(input, keyPolicy);
  const { role, key, same } = accounts(input);
  const namedInKeyPolicy =
    keyPolicy.ok &&
    keyPolicy.statements.some((s) => s.effect === 'Allow' && principalMatch(s, input.roleArn) === 'named');
  const whyMissing =
    !same && namedInKeyPolicy
      ? ` The key policy names the role, but the key is in account ${key} and the role in account ${role}: across accounts the role's own policies must allow the actions too.`
      : undefined;
  if (
    input.rolePolicies.length === 0 &&
    !REQUIRED_ACTIONS.every((action) => allowed(byKeyPolicy?.get(action) ?? NO_ACCESS))
  ) {
    return finding(
      'permissions-policy',
      [],
      [
        {
          level: 'fail',
          says: `The role ${input.roleArn} has no permissions policy (no inline or attached managed policy).${whyMissing ?? ''}`,
          fix,
        },
      ],
    );
  }
  const statements: Statement[] = [];
  for (const policy of input.rolePolicies) {
    const parsed = parsePolicy(policy.document, policy.name);
    if (!parsed.ok)
      return unreadable('permissions-policy', `permissions policy "${policy.name}"`, parsed.reason, fix);
    statements.push(...parsed.statements);
  }
  const kit = {
    document: 'permissions policy',
    fix,
    hardened: json(hardenedPermissionsPolicy(input.keyArn, input.tenantId)),
    whyMissing,
  };
  const { issues, accesses, ignored } = kmsIssues(statements, input, () => 'named', kit, byKeyPolicy);
  const allowing = grantLabels(accesses, 'named');
  const facts =
    allowing.length > 0
      ? [`The role's policies allow ${allowedActions(accesses)} on ${input.keyArn} (${names(allowing)}).`]
      : [];
  const keyOnly = [...accesses]
    .filter(([action, a]) => !allowed(a) && allowed(byKeyPolicy?.get(action) ?? NO_ACCESS))
    .map(([action]) => action);
  if (keyOnly.length > 0) {
    const labels = keyOnly.flatMap((action) => {
      const a = byKeyPolicy!.get(action)!;
      return [...a.granted, ...a.conditional].map((g) => g.label);
    });
    const what = keyOnly.length === accesses.size ? 'these actions' : keyOnly.join(', ');
    facts.push(
      `No permissions policy is needed for ${what}: the key policy names the role (${names(labels)}) and the key is in the role's account (the kit's permissions policy is still recommended).`,
    );
  }
  return finding('permissions-policy', [...facts, ...ignoredFact(ignored)], issues);
}

/**
 * The key policy must allow the role by name, or delegate to IAM in the role's account (a statement
 * for that account's root): then the permissions policy decides. The key's own account root only
 * helps a role in the key's account.
 */
function reviewKeyPolicy(input: PolicyReviewInput, parsed: ParsedPolicy): ReviewFinding {
  const fix = `Add the key policy statement from step 3 of the setup guide to the key policy of ${input.keyArn}, keeping the existing statements: ${json(keyPolicyStatement(input.roleArn))}`;
  if (!parsed.ok) return unreadable('key-policy', 'key policy', parsed.reason, fix);
  const { role, key, same: sameAccount } = accounts(input);
  const keyRoot = parsed.statements
    .filter((s) => s.effect === 'Allow' && namesAccountOf(s, input.keyArn))
    .map((s) => s.label);
  const whyMissing =
    !sameAccount && keyRoot.length > 0
      ? ` The account root ${names(keyRoot)} delegates to IAM in account ${key}, but the role is in account ${role}: across accounts the key policy must name the role.`
      : undefined;
  const kit = {
    document: 'key policy',
    fix,
    hardened: json(hardenedKeyPolicyStatements(input.roleArn, input.tenantId)),
    whyMissing,
  };
  const { issues, accesses, ignored } = kmsIssues(
    parsed.statements,
    input,
    (s) => principalMatch(s, input.roleArn),
    kit,
  );
  const facts: string[] = [];
  const named = grantLabels(accesses, 'named');
  const delegated = grantLabels(accesses, 'account');
  if (named.length > 0) facts.push(`The key policy allows the role ${input.roleArn} (${names(named)}).`);
  if (delegated.length > 0) {
    facts.push(
      sameAccount
        ? `The key policy delegates to IAM (the account root ${names(delegated)}), so the permissions policy decides.`
        : `The key policy delegates to the role's account ${role} (${names(delegated)}), so the role's permissions policy decides.`,
    );
  }
  const anyone = [...accesses.values()]
    .flatMap((a) => a.granted)
    .filter((g) => g.who === 'anyone')
    .map((g) => g.label);
  if (anyone.length > 0) {
    issues.push({
      level: 'warn',
      says: `The key policy allows any AWS principal to use the key without a condition (Principal "*", ${names(anyone)}).`,
      fix: `Name the role instead of "*": ${fix}`,
    });
  }
  return finding('key-policy', [...facts, ...ignoredFact(ignored)], issues);
}
