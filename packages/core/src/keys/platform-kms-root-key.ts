import { parseKmsKeyOrAliasArn } from '../aws/arns.js';
import type { KmsPort, KmsTarget } from '../aws/ports.js';
import { KmsRootKey } from './kms-root-key.js';

export interface PlatformKmsRootKeyOptions {
  kms: KmsPort;
  /** The platform key's ARN: a key ARN, or an alias ARN such as arn:aws:kms:us-east-1:111122223333:alias/keyward-platform. */
  keyArn: string;
}

/** The platform's own KMS key, used with the platform's credentials, for platform-managed tenants. */
export class PlatformKmsRootKey extends KmsRootKey {
  readonly kind = 'platform-kms' as const;
  readonly region: string;

  constructor(options: PlatformKmsRootKeyOptions) {
    const arn = parseKmsKeyOrAliasArn(options.keyArn);
    super(options.kms, options.keyArn);
    this.region = arn.region;
  }

  protected target(): Promise<KmsTarget> {
    return Promise.resolve({ region: this.region });
  }
}
