import {
  checkTenantId,
  isValidExternalId,
  parseKmsKeyArn,
  parseRoleArn,
  platformIdentity,
  reviewPolicies,
  runOnboardingChecks,
  SdkKmsPort,
  SdkStsPort,
  type CheckResult,
  type OnboardingSubject,
  type ReviewFinding,
} from '@keyward/core';
import { UsageError } from '../connection.js';
import { awsClients, callerIdentity, sameRole, type Caller } from './aws-access.js';
import { asCustomer } from './as-customer.js';
import {
  READ_ACTIONS,
  readKeyPolicy,
  readRoleDocuments,
  type CustomerDocuments,
  type Read,
} from './read-documents.js';

export interface VerifyInput {
  roleArn: string;
  cmkArn: string;
  externalId: string;
  /** The tenant: its encryption context and role session name are what the platform uses. */
  tenantId: string;
  /** The platform's Service Role, as the console shows it; default: the caller's own role, when the caller is a role session outside the customer's account. */
  serviceRoleArn?: string;
  endpoint?: string;
  /** STS's region; KMS calls always go to the key's region. */
  region?: string;
}

/**
 * `live`: the caller is the principal the trust policy trusts (the platform's Service Role), so the
 * checks run exactly as the console's Test. `review`: the caller is someone else (the customer):
 * AWS rightly refuses them the role, so the live checks stop there and the role's and key's
 * documents are read and reviewed instead. `complete` is false when a document could not be read.
 */
export interface VerifyReport {
  ok: boolean;
  complete: boolean;
  mode: 'live' | 'review';
  caller: Caller;
  serviceRoleArn: string;
  /** `caller`: not given, taken to be the caller's own role. */
  serviceRoleFrom: 'option' | 'caller';
  roleArn: string;
  cmkArn: string;
  checks: CheckResult[];
  review: ReviewFinding[] | null;
}

function checkInput(input: VerifyInput) {
  const role = parseRoleArn(input.roleArn);
  const key = parseKmsKeyArn(input.cmkArn);
  const externalId: string = input.externalId;
  if (!isValidExternalId(externalId))
    throw new UsageError(
      `--external-id "${input.externalId.slice(0, 80)}" is not an External ID: 2 to 1,224 characters of letters, digits and +=,.@:/-, as the console shows it.`,
    );
  checkTenantId(input.tenantId);
  if (input.serviceRoleArn !== undefined) parseRoleArn(input.serviceRoleArn);
  if (input.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(input.endpoint))
    throw new UsageError(
      `--endpoint-url must be an http(s) URL such as http://127.0.0.1:4599, not "${input.endpoint}".`,
    );
  if (input.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(input.region))
    throw new UsageError(`--region must be a region such as us-east-1, not "${input.region}".`);
  if (role.partition !== key.partition)
    throw new UsageError(
      `The role is in the ${role.partition} partition and the key in ${key.partition}: they must be in the same one.`,
    );
  return { role, key, stsRegion: input.region ?? key.region };
}

/** The Service Role: given, or the caller's own role when the caller is plainly not the customer. */
function serviceRoleOf(
  input: VerifyInput,
  caller: Caller,
  customerAccount: string,
): { arn: string; from: 'option' | 'caller' } {
  if (input.serviceRoleArn !== undefined) return { arn: input.serviceRoleArn, from: 'option' };
  if (caller.roleArn !== null && caller.account !== customerAccount)
    return { arn: caller.roleArn, from: 'caller' };
  const who = caller.roleArn === null ? 'not a role session' : `in the customer's account ${caller.account}`;
  throw new UsageError(
    `--service-role-arn is needed: you are ${caller.arn}, ${who}; pass the platform's Service Role ARN that the console shows (step 1).`,
  );
}

export async function runVerify(input: VerifyInput): Promise<VerifyReport> {
  const { role, key, stsRegion } = checkInput(input);
  const endpoint = input.endpoint === undefined ? {} : { endpoint: input.endpoint };
  const clients = awsClients({ stsRegion, kmsRegion: key.region, ...endpoint }, key.partition);
  const sts = new SdkStsPort({ region: stsRegion, ...endpoint });
  const kms = new SdkKmsPort({ region: key.region, ...endpoint });
  try {
    const caller = await callerIdentity(clients.sts);
    const serviceRole = serviceRoleOf(input, caller, role.accountId);
    const subject: OnboardingSubject = {
      platform: platformIdentity(serviceRole.arn),
      tenantId: input.tenantId,
      externalId: input.externalId,
      roleArn: input.roleArn,
      keyArn: input.cmkArn,
    };
    const live = await runOnboardingChecks(subject, { sts, kms });
    const base = {
      caller,
      serviceRoleArn: serviceRole.arn,
      serviceRoleFrom: serviceRole.from,
      roleArn: input.roleArn,
      cmkArn: input.cmkArn,
    };
    if (caller.roleArn !== null && sameRole(caller.roleArn, serviceRole.arn))
      return { ...base, ok: live.ok, complete: true, mode: 'live', checks: live.results, review: null };

    const elsewhere = (what: string, account: string): Read<never> => ({
      ok: false,
      missing: false,
      reason: `${what} is in account ${account} and you are in ${caller.account}: it can be read only from its own account.`,
    });
    const roleDocuments =
      caller.account === role.accountId
        ? await readRoleDocuments(clients.iam, role.roleName)
        : {
            trustPolicy: elsewhere('The role', role.accountId),
            rolePolicies: elsewhere('The role', role.accountId),
          };
    const keyPolicy =
      caller.account === key.accountId
        ? await readKeyPolicy(clients.kms, input.cmkArn)
        : elsewhere('The key', key.accountId);
    const documents: CustomerDocuments = { ...roleDocuments, keyPolicy };
    const review = reviewed(documents, input, serviceRole.arn);
    const checks = await asCustomer(live, {
      caller,
      serviceRoleArn: serviceRole.arn,
      subject,
      kms,
      review,
      roleMissing: !documents.trustPolicy.ok && documents.trustPolicy.missing,
    });
    const complete = [documents.trustPolicy, documents.rolePolicies, documents.keyPolicy].every(
      (read) => read.ok || read.missing,
    );
    const ok =
      checks.every((check) => check.status !== 'fail') &&
      review.every((finding) => finding.status !== 'fail');
    return { ...base, ok, complete, mode: 'review', checks, review };
  } finally {
    sts.close();
    kms.close();
    for (const client of Object.values(clients)) client.destroy();
  }
}

const valueOf = <T>(read: Read<T>): T | null => (read.ok ? read.value : null);

/** The static review, with documents that were absent (a finding) or unreadable (a warning: not checked) named as such. */
function reviewed(documents: CustomerDocuments, input: VerifyInput, serviceRoleArn: string): ReviewFinding[] {
  const findings = reviewPolicies({
    serviceRoleArn,
    externalId: input.externalId,
    roleArn: input.roleArn,
    keyArn: input.cmkArn,
    tenantId: input.tenantId,
    trustPolicy: valueOf(documents.trustPolicy),
    rolePolicies: valueOf(documents.rolePolicies) ?? [],
    keyPolicy: valueOf(documents.keyPolicy),
  });
  const sources: Record<ReviewFinding['id'], Read<unknown>> = {
    'trust-principal': documents.trustPolicy,
    'trust-external-id': documents.trustPolicy,
    'permissions-policy': documents.rolePolicies,
    'key-policy': documents.keyPolicy,
  };
  return findings.map((finding) => {
    const source = sources[finding.id];
    if (source.ok) return finding;
    if (source.missing) {
      const isKey = finding.id === 'key-policy';
      return {
        ...finding,
        status: 'fail',
        message: source.reason,
        remediation: isKey
          ? 'Correct the CMK ARN: the key ARN, in the account and region the key lives in.'
          : 'Create the role (step 3 of the setup guide), or correct the Role ARN.',
      };
    }
    return {
      ...finding,
      status: 'warn',
      message: `Not checked. ${source.reason}`,
      remediation: `Run keyward verify with credentials of that account that may call ${READ_ACTIONS}.`,
    };
  });
}
