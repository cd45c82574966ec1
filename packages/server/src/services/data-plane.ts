import {
  findingOf,
  isKeywardError,
  KeywardError,
  toText,
  type EncryptionContext,
  type KeyFinding,
  type Keyward,
} from '@keyward/core';

/** One item's outcome: its result, or its error from the catalogue; the other items go on. */
export type ItemResult<T> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string; details?: unknown } };

export interface EncryptItem {
  plaintext?: string;
  text?: string;
  context?: EncryptionContext;
  keyVersion?: number;
}
export interface CiphertextItem {
  ciphertext: string;
  context?: EncryptionContext;
}
export interface DataKeyItem {
  context?: EncryptionContext;
  bytes?: number;
}
export type Encoding = 'base64' | 'utf8';

/**
 * Standard padded base64, one spelling per byte string: decoding is lenient (it skips what it
 * does not understand), so the decoded bytes must encode back to exactly the input. Native on both
 * sides, it costs far less than a regular expression over a large item.
 */
function decodeBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (text.length % 4 === 0 && bytes.toString('base64') === text) return bytes;
  bytes.fill(0);
  return undefined;
}

/** The item's plaintext as bytes the caller zeroes after use (a string would stay in memory as it is). */
function plaintextOf(item: EncryptItem): Buffer {
  if ((item.plaintext === undefined) === (item.text === undefined)) {
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: 'Give exactly one of plaintext (base64) or text (UTF-8).',
    });
  }
  if (item.text !== undefined) {
    // Encoding would silently replace an unpaired surrogate; refuse it as core does.
    if (!item.text.isWellFormed())
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'text is not well-formed Unicode (it has an unpaired surrogate).',
      });
    return Buffer.from(item.text, 'utf8');
  }
  const bytes = decodeBase64(item.plaintext!);
  if (bytes === undefined)
    throw new KeywardError('KW_INVALID_ARGUMENT', { message: 'plaintext must be standard, padded base64.' });
  return bytes;
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: 'The plaintext is not UTF-8 text; decrypt it with encoding "base64".',
    });
  }
}

function failure(error: unknown): ItemResult<never> {
  const known = isKeywardError(error) ? error : new KeywardError('KW_INTERNAL');
  const body = known.toJSON() as { code: string; message: string; details?: unknown };
  return {
    ok: false,
    error: {
      code: body.code,
      message: body.message,
      ...(body.details === undefined ? {} : { details: body.details }),
    },
  };
}

/**
 * When no item succeeded, the request fails as a whole with the first item's error (its status:
 * 400 for a malformed ciphertext, 404 for an unknown tenant, 403 for a revoked key…), and every
 * item's result in `details.results`. A batch with at least one success answers 200 item by item.
 */
function wholeRequestFailure(results: Array<ItemResult<object>>): KeywardError | undefined {
  const first = results[0];
  if (first === undefined || first.ok || results.some((result) => result.ok)) return undefined;
  const details = (first.error.details ?? {}) as Record<string, unknown>;
  return new KeywardError(first.error.code as KeywardError['code'], {
    message: first.error.message,
    details: { ...details, results },
  });
}

/**
 * The data plane over HTTP: batches of encrypt, decrypt, rewrap and data-key items for one tenant,
 * each answered on its own. Items run one after another: on a warm cache each is a few
 * microseconds of CPU, and a cold key is loaded once (single-flight) for the whole batch.
 */
export class DataPlane {
  /**
   * `learn` hears what a failed cache miss said about the customer's key (denied, disabled,
   * unreachable…), so that the tenant's state changes at once rather than at the next health check.
   */
  constructor(
    private readonly keyward: Keyward,
    private readonly onItems: (operation: string, ok: number, failed: number) => void = () => undefined,
    private readonly learn: (tenantId: string, finding: KeyFinding) => Promise<void> = async () => undefined,
  ) {}

  encrypt(tenantId: string, items: EncryptItem[]) {
    return this.#each('encrypt', tenantId, items, async (item) => {
      const plaintext = plaintextOf(item);
      try {
        return {
          ciphertext: await this.keyward.encryptText(
            tenantId,
            plaintext,
            item.context,
            item.keyVersion === undefined ? undefined : { keyVersion: item.keyVersion },
          ),
        };
      } finally {
        plaintext.fill(0);
      }
    });
  }

  decrypt(tenantId: string, items: CiphertextItem[], encoding: Encoding = 'base64') {
    return this.#each('decrypt', tenantId, items, async (item) => {
      const plaintext = await this.keyward.decrypt(tenantId, item.ciphertext, item.context);
      try {
        if (encoding === 'base64') return { plaintext: plaintext.toString('base64') };
        return { text: utf8(plaintext) };
      } finally {
        // The JSON response still holds the plaintext, as it must; the buffer need not outlive it.
        plaintext.fill(0);
      }
    });
  }

  rewrap(tenantId: string, items: CiphertextItem[]) {
    return this.#each('rewrap', tenantId, items, async (item) => ({
      ciphertext: await this.keyward.rewrap(tenantId, item.ciphertext, item.context),
    }));
  }

  datakey(tenantId: string, items: DataKeyItem[]) {
    return this.#each('datakey', tenantId, items, async (item) => {
      const key = await this.keyward.generateDataKey(
        tenantId,
        item.context,
        item.bytes === undefined ? {} : { bytes: item.bytes },
      );
      const plaintextKey = key.plaintextKey.toString('base64');
      key.plaintextKey.fill(0);
      return { plaintextKey, wrappedKey: toText(key.wrappedKey), keyVersion: key.keyVersion };
    });
  }

  async #each<I, T extends object>(
    operation: string,
    tenantId: string,
    items: I[],
    run: (item: I) => Promise<T>,
  ): Promise<Array<ItemResult<T>>> {
    const results: Array<ItemResult<T>> = [];
    let failed = 0;
    let finding: KeyFinding | undefined;
    for (const item of items) {
      try {
        results.push({ ok: true, ...(await run(item)) });
      } catch (error) {
        failed++;
        // A withdrawal outranks an outage: one denied item is enough to revoke.
        const found = findingOf(error);
        if (found !== undefined && (finding === undefined || finding === 'unreachable')) finding = found;
        results.push(failure(error));
      }
    }
    if (finding !== undefined) await this.learn(tenantId, finding);
    this.onItems(operation, items.length - failed, failed);
    const whole = wholeRequestFailure(results);
    if (whole !== undefined) throw whole;
    return results;
  }
}
