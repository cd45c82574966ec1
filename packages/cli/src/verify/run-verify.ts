import {
  checkTenantId, isValidExternalId, parseKmsKeyArn, parseRoleArn, platformIdentity, reviewPolicies, runCheck, runOnboardingChecks,
  SdkKmsPort, SdkStsPort, type CheckResult, type OnboardingDeps, type OnboardingSubject, type ReviewFinding,
} from '@keyward/core';
import { UsageError } from '../connection.js';
import { awsClients, callerIdentity, sameRole, type Caller } from './aws-access.js';
import { readCustomerDocuments } from './read-documents.js';

export interface VerifyInput {
  roleArn: string;
  cmkArn: string;
  externalId: string;
  /** The platform's Service Role, as the console shows it; default: the caller's own role, when the caller is a role session outside the customer's account. */
  serviceRoleArn?: string;
  tenantId: string;
  endpoint?: string;
  region?: string;
}

/**
 * `live`: the caller is the principal the trust policy trusts (the platform's Service Role), so the
 * checks run exactly as the console's Test. `review`: the caller is someone else (the customer):
 * AWS rightly refuses them the role, so the live checks stop there and the role's and key's
 * documents are read and reviewed instead.
 */
export interface VerifyReport {
  ok: boolean;
  mode: 'live' | 'review';
  caller: Caller;
  serviceRoleArn: string;
  roleArn: string;
  cmkArn: string;
  checks: CheckResult[];
  review: ReviewFinding[] | null;
}

function checkInput(input: VerifyInput): { region: string; partition: string } {
  const role = parseRoleArn(input.roleArn);
  const key = parseKmsKeyArn(input.cmkArn);
  const externalId: string = input.externalId;
  if (!isValidExternalId(externalId)) throw new UsageError(`--external-id "${input.externalId.slice(0, 80)}" is not an External ID: 2 to 1,224 characters of letters, digits and +=,.@:/-, as the console shows it.`);
  checkTenantId(input.tenantId);
  if (input.serviceRoleArn !== undefined) parseRoleArn(input.serviceRoleArn);
  if (input.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(input.endpoint)) throw new UsageError(`--endpoint-url must be an http(s) URL such as http://127.0.0.1:4599, not "${input.endpoint}".`);
  if (role.partition !== key.partition) throw new UsageError(`The role is in the ${role.partition} partition and the key in ${key.partition}: they must be in the same one.`);
  return { region: input.region ?? key.region, partition: key.partition };
}

/** The Service Role: given, or the caller's role when the caller is plainly not the customer. */
function serviceRoleOf(input: VerifyInput, caller: Caller): string {
  if (input.serviceRoleArn !== undefined) return input.serviceRoleArn;
  const customerAccount = parseRoleArn(input.roleArn).accountId;
  if (caller.roleArn !== null && caller.account !== customerAccount) return caller.roleArn;
  throw new UsageError(`--service-role-arn is needed: you are ${caller.arn}, in the customer's account, so pass the platform's Service Role ARN that the console shows (step 1).`);
}

export async function runVerify(input: VerifyInput): Promise<VerifyReport> {
  const { region, partition } = checkInput(input);
  const clients = awsClients({ region, ...(input.endpoint === undefined ? {} : { endpoint: input.endpoint }) }, partition);
  const ports = { region, ...(input.endpoint === undefined ? {} : { endpoint: input.endpoint }) };
  const sts = new SdkStsPort(ports);
  const kms = new SdkKmsPort(ports);
  try {
    const caller = await callerIdentity(clients.sts);
    const serviceRoleArn = serviceRoleOf(input, caller);
    const subject: OnboardingSubject = { platform: platformIdentity(serviceRoleArn), tenantId: input.tenantId, externalId: input.externalId, roleArn: input.roleArn, keyArn: input.cmkArn };
    const live = await runOnboardingChecks(subject, { sts, kms });
    const trusted = caller.roleArn !== null && sameRole(caller.roleArn, serviceRoleArn);
    const base = { caller, serviceRoleArn, roleArn: input.roleArn, cmkArn: input.cmkArn };
    if (trusted) return { ...base, ok: live.ok, mode: 'live', checks: live.results, review: null };

    const documents = await readCustomerDocuments(clients.iam, clients.kms, parseRoleArn(input.roleArn).roleName, input.cmkArn);
    const review = reviewPolicies({ serviceRoleArn, externalId: input.externalId, roleArn: input.roleArn, keyArn: input.cmkArn, tenantId: input.tenantId, trustPolicy: documents.trustPolicy, rolePolicies: documents.rolePolicies, keyPolicy: documents.keyPolicy });
    if (documents.roleMissing) markMissing(review, ['trust-principal', 'trust-external-id', 'permissions-policy'], `The role ${input.roleArn} does not exist (IAM NoSuchEntity).`, 'Create the role (step 3 of the setup guide), or correct the Role ARN.');
    if (documents.keyMissing) markMissing(review, ['key-policy'], `The key ${input.cmkArn} does not exist in its account and region (KMS NotFoundException).`, 'Correct the CMK ARN: the key ARN, in the region the key lives in.');
    const checks = await asCustomer(live.results, caller, serviceRoleArn, subject, { sts, kms }, region);
    const ok = checks.every((check) => check.status !== 'fail') && review.every((finding) => finding.status !== 'fail');
    return { ...base, ok, mode: 'review', checks, review };
  } finally {
    sts.close();
    kms.close();
    for (const client of Object.values(clients)) client.destroy();
  }
}

function markMissing(review: ReviewFinding[], ids: string[], message: string, remediation: string): void {
  for (const finding of review) {
    if (ids.includes(finding.id)) Object.assign(finding, { status: 'fail', message, remediation });
  }
}

/**
 * The live checks as seen by someone the trust policy does not trust: AssumeRole refused is what a
 * correct setup does for them, so it is not a failure; the key is described with their own
 * credentials instead of the role's. A role that lets them in anyway was checked in full.
 */
async function asCustomer(results: CheckResult[], caller: Caller, serviceRoleArn: string, subject: OnboardingSubject, deps: OnboardingDeps, region: string): Promise<CheckResult[]> {
  const assume = results.find((result) => result.id === 'assume-role');
  if (assume?.code !== 'KW_CHECK_ASSUME_ROLE_DENIED') return results;
  const described = await runCheck('describe-key', subject, deps, { region });
  return results.map((result) => {
    if (result.id === 'assume-role') {
      return { ...result, status: 'skipped', message: `AWS refused the role to you (${caller.arn}), as it should: the trust policy must trust only the platform's Service Role ${serviceRoleArn}. The platform's Test makes this call; the role's and key's documents were reviewed instead (below).`, remediation: null, artifact: null, step: null };
    }
    if (result.id === 'describe-key') return { ...described, message: `${described.message} (described with your credentials)` };
    if (result.status === 'skipped') return { ...result, message: 'Needs the role\'s session: the platform\'s Test does this.' };
    return result;
  });
}
