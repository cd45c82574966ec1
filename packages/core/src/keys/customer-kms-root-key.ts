import { parseKmsKeyArn, parseRoleArn } from '../aws/arns.js';
import type { AssumedRoleCredentialCache } from '../aws/credential-cache.js';
import type { KmsPort, KmsTarget } from '../aws/ports.js';
import { KeywardError, isKeywardError } from '../errors.js';
import { KmsRootKey } from './kms-root-key.js';

/** AWS's limits for sts:ExternalId: 2 to 1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export interface CustomerKmsRootKeyOptions {
  kms: KmsPort;
  credentials: AssumedRoleCredentialCache;
  tenantId: string;
  /** The role the customer created for the platform, in the customer's account. */
  roleArn: string;
  /** The tenant's External ID, which the role's trust policy requires. */
  externalId: string;
  /** The customer's CMK: a key ARN (not an alias); its region is where KMS is called. */
  keyArn: string;
  /** Shown in the customer's CloudTrail; default `keyward-<tenant id>`. */
  roleSessionName?: string;
  sourceIdentity?: string;
}

/** RoleSessionName allows 2–64 characters of [\w+=,.@-]; tenant IDs already fit the alphabet. */
export function roleSessionNameFor(tenantId: string): string {
  return `keyward-${tenantId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * The customer's CMK, reached by assuming the customer's role with the tenant's External ID, then
 * calling KMS in the key's region with the session's credentials.
 */
export class CustomerKmsRootKey extends KmsRootKey {
  readonly kind = 'customer-kms' as const;
  readonly region: string;
  readonly roleArn: string;
  readonly #credentials: AssumedRoleCredentialCache;
  readonly #externalId: string;
  readonly #sessionName: string;
  readonly #sourceIdentity: string | undefined;

  constructor(options: CustomerKmsRootKeyOptions) {
    const key = parseKmsKeyArn(options.keyArn);
    parseRoleArn(options.roleArn);
    /* Precondition: the External ID is within AWS's limits. */
    if (!EXTERNAL_ID.test(options.externalId)) {
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'The External ID must be 2 to 1224 characters of letters, digits and +=,.@:/-_.',
      });
    }
    super(options.kms, options.keyArn);
    this.region = key.region;
    this.roleArn = options.roleArn;
    this.#credentials = options.credentials;
    this.#externalId = options.externalId;
    this.#sessionName = options.roleSessionName ?? roleSessionNameFor(options.tenantId);
    this.#sourceIdentity = options.sourceIdentity;
  }

  protected async target(): Promise<KmsTarget> {
    const credentials = await this.#credentials.get({
      roleArn: this.roleArn,
      externalId: this.#externalId,
      roleSessionName: this.#sessionName,
      ...(this.#sourceIdentity === undefined ? {} : { sourceIdentity: this.#sourceIdentity }),
    });
    return { region: this.region, credentials };
  }

  /**
   * A session AWS no longer accepts (expired early, clock skew, revoked sessions) is forgotten and
   * the call made once more with a fresh AssumeRole; a second refusal is reported as it is.
   */
  protected override async withTarget<T>(call: (target: KmsTarget) => Promise<T>): Promise<T> {
    try {
      return await call(await this.target());
    } catch (error) {
      if (!isKeywardError(error, 'KW_AWS_CREDENTIALS_INVALID')) throw error;
      this.forgetSession();
      return call(await this.target());
    }
  }

  /** Forgets the assumed-role session, so the next call assumes the role again. */
  forgetSession(): void {
    this.#credentials.evict(this.roleArn, this.#externalId);
  }
}
