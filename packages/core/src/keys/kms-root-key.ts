import type { KmsKeyDescription, KmsPort, KmsTarget } from '../aws/ports.js';
import { kmsEncryptionContext, type RootKey, type RootKeyKind, type WrapContext } from './root-key.js';
import { SecretKey } from './secret-key.js';

/**
 * The KMS mechanics both KMS root keys share: GenerateDataKey for a new tenant key, Encrypt to
 * re-wrap, Decrypt (with KeyId) to unwrap, always with the tenant's encryption context. The
 * subclass says which credentials sign the call.
 */
export abstract class KmsRootKey implements RootKey {
  abstract readonly kind: RootKeyKind;
  readonly id: string;
  protected readonly kms: KmsPort;

  constructor(kms: KmsPort, keyId: string) {
    this.kms = kms;
    this.id = keyId;
  }

  /** The region and credentials of the next call. */
  protected abstract target(): Promise<KmsTarget>;

  /** Runs one KMS call with the current target; subclasses may retry with fresh credentials. */
  protected async withTarget<T>(call: (target: KmsTarget) => Promise<T>): Promise<T> {
    return call(await this.target());
  }

  async generateTenantKey(context: WrapContext): Promise<{ key: SecretKey; wrappedKey: Uint8Array }> {
    const out = await this.withTarget((target) =>
      this.kms.generateDataKey(target, { keyId: this.id, encryptionContext: kmsEncryptionContext(context) }),
    );
    return { key: SecretKey.takeFrom(out.plaintext), wrappedKey: out.ciphertextBlob };
  }

  async wrap(key: SecretKey, context: WrapContext): Promise<Uint8Array> {
    const out = await this.withTarget((target) =>
      this.kms.encrypt(target, {
        keyId: this.id,
        plaintext: key.bytes(),
        encryptionContext: kmsEncryptionContext(context),
      }),
    );
    return out.ciphertextBlob;
  }

  /** The key's metadata (state, deletion date…), with the same credentials as every other call. */
  async describe(): Promise<KmsKeyDescription> {
    return this.withTarget((target) => this.kms.describeKey(target, { keyId: this.id }));
  }

  async unwrap(wrappedKey: Uint8Array, context: WrapContext): Promise<SecretKey> {
    const out = await this.withTarget((target) =>
      this.kms.decrypt(target, {
        keyId: this.id,
        ciphertextBlob: wrappedKey,
        encryptionContext: kmsEncryptionContext(context),
      }),
    );
    return SecretKey.takeFrom(out.plaintext);
  }
}
