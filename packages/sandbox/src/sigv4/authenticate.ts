import { timingSafeEqual } from 'node:crypto';
import { assumedRoleArn, REGION_PATTERN } from '../arn.js';
import type { Clock } from '../clock.js';
import type { Caller } from '../policy/caller.js';
import { storedPolicy } from '../policy/policy-cache.js';
import type { CredentialOwner, SandboxStore } from '../state/store.js';
import {
  authError,
  BAD_SIGNATURE_MESSAGE,
  EXPIRED_TOKEN_MESSAGE,
  INVALID_TOKEN_MESSAGE,
  MISSING_TOKEN_MESSAGE,
  SKEW_MINUTES,
  UNKNOWN_KEY_MESSAGE,
} from './auth-errors.js';
import type { ServiceName } from '../operation-names.js';
import { formatAmzDate, parseAmzDate, parseAuthorization } from './parse-authorization.js';
import { signatureMatches, type SignedRequest } from './verify-signature.js';

export interface Authenticated {
  caller: Caller;
  region: string;
}

/**
 * Verifies a SigV4-signed request and returns who sent it. Each failure is the error AWS gives
 * for it, in the order AWS checks: header shape, date and skew, credential scope, access key,
 * session token and expiry, then the signature itself.
 */
export async function authenticate(
  request: SignedRequest,
  service: ServiceName,
  store: SandboxStore,
  clock: Clock,
): Promise<Authenticated> {
  const header = request.headers.authorization;
  if (header === undefined) throw authError(service, 'missing', MISSING_TOKEN_MESSAGE);
  const parsed = parseAuthorization(header, request.headers['x-amz-date'] !== undefined);
  if (!parsed.ok) throw authError(service, 'incomplete', parsed.message);
  const auth = parsed.value;

  const amzDate = request.headers['x-amz-date'];
  if (amzDate === undefined) {
    throw authError(
      service,
      'incomplete',
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
    );
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate)
    throw authError(
      service,
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  checkSkew(service, signingDate, clock.wallNow(), amzDate);
  checkScope(service, auth.scope, auth.signedHeaders, amzDate);

  const owner = store.credentialOwner(auth.scope.accessKeyId);
  if (!owner || (owner.kind === 'user' && owner.key.status !== 'Active'))
    throw authError(service, 'unknown-key', UNKNOWN_KEY_MESSAGE);
  const secret = checkSession(service, owner, request.headers['x-amz-security-token'], clock);

  if (!(await signatureMatches(request, auth, secret, signingDate)))
    throw authError(service, 'bad-signature', BAD_SIGNATURE_MESSAGE);
  return { caller: callerOf(owner, auth.scope.accessKeyId), region: auth.scope.region };
}

function checkSkew(service: ServiceName, signed: Date, wallNow: number, amzDate: string): void {
  const windowMs = SKEW_MINUTES[service] * 60_000;
  const now = formatAmzDate(new Date(wallNow));
  const minutes = SKEW_MINUTES[service];
  if (signed.getTime() < wallNow - windowMs) {
    throw authError(
      service,
      'skew',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(wallNow - windowMs))} (${now} - ${minutes} min.)`,
    );
  }
  if (signed.getTime() > wallNow + windowMs) {
    throw authError(
      service,
      'skew',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(wallNow + windowMs))} (${now} + ${minutes} min.)`,
    );
  }
}

function checkScope(
  service: ServiceName,
  scope: { date: string; region: string; service: string; terminator: string },
  signedHeaders: string[],
  amzDate: string,
): void {
  if (!signedHeaders.includes('host'))
    throw authError(service, 'scope', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (scope.terminator !== 'aws4_request') {
    throw authError(
      service,
      'scope',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'. `,
    );
  }
  if (scope.date !== amzDate.slice(0, 8)) {
    throw authError(
      service,
      'scope',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (!REGION_PATTERN.test(scope.region))
    throw authError(
      service,
      'scope',
      `Credential should be scoped to a valid region, not '${scope.region}'. `,
    );
  if (scope.service !== service)
    throw authError(service, 'scope', `Credential should be scoped to correct service: '${service}'. `);
}

function checkSession(
  service: ServiceName,
  owner: CredentialOwner,
  token: string | undefined,
  clock: Clock,
): { secretAccessKey: string; sessionToken?: string } {
  /* A long-term key with a session token (say, a stale AWS_SESSION_TOKEN) is refused, as AWS refuses it. */
  if (owner.kind === 'user') {
    if (token !== undefined) throw authError(service, 'invalid-token', INVALID_TOKEN_MESSAGE);
    return { secretAccessKey: owner.key.secret };
  }
  const session = owner.session;
  /* Precondition: temporary credentials are only valid with the token they were issued with. */
  /* Without its token a temporary key is unknown (AWS's message has the period); a wrong token is "invalid" without one. */
  if (token === undefined) throw authError(service, 'unknown-key', UNKNOWN_KEY_MESSAGE);
  if (!constantTimeEqual(token, session.token))
    throw authError(service, 'invalid-token', INVALID_TOKEN_MESSAGE);
  if (session.expiresAt <= clock.now()) throw authError(service, 'expired-token', EXPIRED_TOKEN_MESSAGE);
  return { secretAccessKey: session.secret, sessionToken: session.token };
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function callerOf(owner: CredentialOwner, accessKeyId: string): Caller {
  if (owner.kind === 'user') {
    return {
      kind: 'user',
      partition: 'aws',
      account: owner.account.id,
      arn: owner.user.arn,
      principalArn: owner.user.arn,
      userId: owner.user.userId,
      userName: owner.user.name,
      accessKeyId,
      tags: owner.user.tags,
      chained: false,
    };
  }
  const session = owner.session;
  return {
    kind: 'assumed-role',
    partition: 'aws',
    account: session.account,
    arn: assumedRoleArn('aws', session.account, session.roleName, session.sessionName),
    principalArn: session.roleArn,
    userId: `${session.roleId}:${session.sessionName}`,
    roleName: session.roleName,
    sessionName: session.sessionName,
    accessKeyId,
    sourceIdentity: session.sourceIdentity,
    tags: session.tags,
    sessionPolicies: session.sessionPolicies?.map((text) => storedPolicy(text, 'session')),
    chained: session.chained,
  };
}
