import { randomBytes } from 'node:crypto';
import { iamArn, kmsAliasArn, partitionOf } from '../arn.js';
import { newUniqueId } from '../ids.js';
import { newKey } from '../kms/new-key.js';
import { parsePolicy, PolicyDocumentError } from '../policy/parse-policy.js';
import type { PolicyKind } from '../policy/types.js';
import { findInvalidPrincipal } from '../policy/validate-principals.js';
import { awsManagedPolicy } from '../state/aws-managed-policies.js';
import { SandboxError } from '../sandbox-errors.js';
import { SandboxStore } from '../state/store.js';
import type { AccountState, SandboxData } from '../state/types.js';
import { seedSchema, type Seed, type SeedInput } from './seed-schema.js';

/** `KW_SANDBOX_SEED`: the seed cannot be read or is invalid; the message names the path in the seed. */
export class SeedError extends SandboxError {
  declare readonly code: 'KW_SANDBOX_SEED';
  override readonly name = 'SeedError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('KW_SANDBOX_SEED', { message, cause: options.cause });
  }
}

/**
 * Turns a seed into the sandbox's state, validating it as the AWS APIs would validate the same
 * requests: malformed policies, unknown managed policies, duplicate names, and trust or key
 * policies naming principals that do not exist are refused with the seed path that is wrong.
 */
export function buildState(input: SeedInput, options: { region: string; now: number }): SandboxData {
  const parsed = seedSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SeedError(`Invalid seed: ${problems.join('; ')}`);
  }
  const seed = parsed.data;
  const data: SandboxData = {
    version: 1,
    blobKey: randomBytes(32).toString('base64'),
    accounts: {},
    keys: {},
    aliases: {},
    sessions: {},
  };
  seed.accounts.forEach((account, index) => addAccountIam(data, account, `accounts.${index}`, options.now));
  const store = new SandboxStore(data);
  seed.accounts.forEach((account, index) => {
    checkPrincipals(store, account, `accounts.${index}`);
    addKeys(data, account, `accounts.${index}`, options);
  });
  return data;
}

type SeedAccount = Seed['accounts'][number];

function checkedPolicy(text: string, kind: PolicyKind, where: string, managed = false) {
  try {
    return parsePolicy(text, kind, { managed });
  } catch (error) {
    if (error instanceof PolicyDocumentError)
      throw new SeedError(`Invalid seed: ${where}: MalformedPolicyDocument: ${error.message}`);
    throw error;
  }
}

function addAccountIam(data: SandboxData, seed: SeedAccount, where: string, now: number): void {
  if (data.accounts[seed.id])
    throw new SeedError(`Invalid seed: ${where}.id: account ${seed.id} appears twice`);
  const account: AccountState = { id: seed.id, alias: seed.alias, users: {}, roles: {}, policies: {} };
  data.accounts[seed.id] = account;
  const partition = 'aws';
  seed.policies.forEach((policy, i) => {
    checkedPolicy(policy.document, 'identity', `${where}.policies.${i}.document`, true);
    const arn = iamArn(partition, seed.id, 'policy', policy.path, policy.name);
    if (account.policies[arn])
      throw new SeedError(
        `Invalid seed: ${where}.policies.${i}: a policy called ${policy.name} already exists`,
      );
    account.policies[arn] = {
      name: policy.name,
      path: policy.path,
      policyId: newUniqueId('ANPA'),
      arn,
      description: policy.description,
      document: policy.document,
      createDate: now,
      updateDate: now,
    };
  });
  const resolveManaged = (name: string, at: string) => {
    if (name.startsWith('arn:')) {
      if (awsManagedPolicy(name) || account.policies[name]) return name;
    } else {
      const own = Object.values(account.policies).find((policy) => policy.name === name);
      if (own) return own.arn;
      const aws = awsManagedPolicy(`arn:aws:iam::aws:policy/${name}`);
      if (aws) return aws.arn;
    }
    throw new SeedError(
      `Invalid seed: ${at}: managed policy ${name} does not exist in account ${seed.id} or among the AWS managed policies`,
    );
  };
  seed.users.forEach((user, i) => {
    const at = `${where}.users.${i}`;
    if (account.users[user.name.toLowerCase()])
      throw new SeedError(`Invalid seed: ${at}: user ${user.name} already exists`);
    for (const [name, document] of Object.entries(user.inlinePolicies))
      checkedPolicy(document, 'identity', `${at}.inlinePolicies.${name}`);
    account.users[user.name.toLowerCase()] = {
      name: user.name,
      path: user.path,
      userId: newUniqueId('AIDA'),
      arn: iamArn(partition, seed.id, 'user', user.path, user.name),
      createDate: now,
      inlinePolicies: user.inlinePolicies,
      attachedPolicies: user.managedPolicies.map((name, j) =>
        resolveManaged(name, `${at}.managedPolicies.${j}`),
      ),
      accessKeys: user.accessKeys.map((key) => ({
        id: key.id,
        secret: key.secret,
        status: 'Active' as const,
        createDate: now,
      })),
      tags: [],
    };
  });
  seed.roles.forEach((role, i) => {
    const at = `${where}.roles.${i}`;
    if (account.roles[role.name.toLowerCase()])
      throw new SeedError(`Invalid seed: ${at}: role ${role.name} already exists`);
    checkedPolicy(role.trustPolicy, 'trust', `${at}.trustPolicy`);
    for (const [name, document] of Object.entries(role.inlinePolicies))
      checkedPolicy(document, 'identity', `${at}.inlinePolicies.${name}`);
    account.roles[role.name.toLowerCase()] = {
      name: role.name,
      path: role.path,
      roleId: newUniqueId('AROA'),
      arn: iamArn(partition, seed.id, 'role', role.path, role.name),
      createDate: now,
      description: role.description,
      maxSessionDuration: role.maxSessionDuration,
      trustPolicy: role.trustPolicy,
      inlinePolicies: role.inlinePolicies,
      attachedPolicies: role.managedPolicies.map((name, j) =>
        resolveManaged(name, `${at}.managedPolicies.${j}`),
      ),
      tags: [],
    };
  });
}

function checkPrincipals(store: SandboxStore, seed: SeedAccount, where: string): void {
  seed.roles.forEach((role, i) => {
    const invalid = findInvalidPrincipal(store, parsePolicy(role.trustPolicy, 'trust'));
    if (invalid)
      throw new SeedError(
        `Invalid seed: ${where}.roles.${i}.trustPolicy: Invalid principal in policy: ${invalid}`,
      );
  });
  seed.keys.forEach((key, i) => {
    if (!key.policy) return;
    const invalid = findInvalidPrincipal(
      store,
      checkedPolicy(key.policy, 'key', `${where}.keys.${i}.policy`),
    );
    if (invalid)
      throw new SeedError(
        `Invalid seed: ${where}.keys.${i}.policy: Policy contains a statement with one or more invalid principals.`,
      );
  });
}

function addKeys(
  data: SandboxData,
  seed: SeedAccount,
  where: string,
  options: { region: string; now: number },
): void {
  seed.keys.forEach((keySeed, i) => {
    const region = keySeed.region ?? options.region;
    const key = newKey({
      account: seed.id,
      region,
      now: options.now,
      keyId: keySeed.id,
      description: keySeed.description,
      policy: keySeed.policy,
      keySpec: keySeed.keySpec,
      keyUsage: keySeed.keyUsage,
      keyManager: keySeed.managedBy,
      enabled: keySeed.enabled,
      tags: Object.entries(keySeed.tags).map(([tagKey, value]) => ({ key: tagKey, value })),
    });
    if (data.keys[key.arn])
      throw new SeedError(`Invalid seed: ${where}.keys.${i}.id: key ${key.keyId} appears twice`);
    if (keySeed.rotation?.enabled) {
      key.rotation.enabled = true;
      key.rotation.periodDays = keySeed.rotation.periodDays;
      key.rotation.nextRotationDate = options.now + keySeed.rotation.periodDays * 86_400_000;
    }
    data.keys[key.arn] = key;
    for (const aliasName of keySeed.aliases) {
      const aliasArn = kmsAliasArn(partitionOf(region), region, seed.id, aliasName);
      if (data.aliases[aliasArn])
        throw new SeedError(
          `Invalid seed: ${where}.keys.${i}.aliases: ${aliasName} is already used in ${region}`,
        );
      data.aliases[aliasArn] = {
        aliasName,
        aliasArn,
        account: seed.id,
        region,
        targetKeyId: key.keyId,
        creationDate: options.now,
        lastUpdatedDate: options.now,
      };
    }
  });
}
