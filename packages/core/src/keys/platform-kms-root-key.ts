import { parseKmsKeyArn, parseKmsKeyOrAliasArn } from '../aws/arns.js';
import type { KmsPort, KmsTarget } from '../aws/ports.js';
import { KmsRootKey } from './kms-root-key.js';

export interface PlatformKmsRootKeyOptions {
  kms: KmsPort;
  /** The platform key's key ARN (use `PlatformKmsRootKey.resolve` to start from an alias). */
  keyArn: string;
}

/**
 * The platform's own KMS key, used with the platform's credentials, for platform-managed tenants.
 * It is identified by its key ARN, never an alias: an alias can be re-pointed to another key,
 * which would leave every tenant key wrapped under the old one unreadable through the alias.
 */
export class PlatformKmsRootKey extends KmsRootKey {
  readonly kind = 'platform-kms' as const;
  readonly region: string;

  constructor(options: PlatformKmsRootKeyOptions) {
    const arn = parseKmsKeyArn(options.keyArn);
    super(options.kms, options.keyArn);
    this.region = arn.region;
  }

  /** Accepts a key ARN or an alias ARN; an alias is resolved to its key ARN once, with DescribeKey. */
  static async resolve(options: { kms: KmsPort; keyArn: string }): Promise<PlatformKmsRootKey> {
    const arn = parseKmsKeyOrAliasArn(options.keyArn);
    if (!arn.resource.startsWith('alias/')) return new PlatformKmsRootKey(options);
    const described = await options.kms.describeKey({ region: arn.region }, { keyId: options.keyArn });
    return new PlatformKmsRootKey({ kms: options.kms, keyArn: described.keyArn });
  }

  protected target(): Promise<KmsTarget> {
    return Promise.resolve({ region: this.region });
  }
}
