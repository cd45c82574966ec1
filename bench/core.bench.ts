import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { createKeyward, LocalRootKey, MemoryTenantKeyStore, type EncryptionContext } from '@keyward/core';

/**
 * Issue 3's benchmark: encrypt and decrypt throughput, warm cache, in one process, for
 * (a) Keyward core, (b) raw AES-256-GCM with a new cipher and random IV per message, and
 * (c) the AWS Encryption SDK for JavaScript with a raw AES keyring, the non-signing committing
 * suite and its caching materials manager.
 *
 * The machine is shared and noisy, so each ratio comes from a duel of two contenders taking turns
 * in short slices, taken per repetition (both measured moments apart) before the median is taken.
 */
export const SIZES = [64, 1024, 16 * 1024, 1024 * 1024] as const;
/** The context of the "with a context" rows: Keyward and the ESDK both bind it; raw GCM has none. */
export const CONTEXT: EncryptionContext = { table: 'invoices', column: 'body' };

export type ContenderName = 'keyward' | 'raw-gcm' | 'aws-esdk';

interface Contender {
  name: ContenderName;
  encrypt(plaintext: Buffer): Promise<Buffer> | Buffer;
  decrypt(ciphertext: Buffer): Promise<Buffer> | Buffer;
}

function rawGcm(): Contender {
  const key = randomBytes(32);
  return {
    name: 'raw-gcm',
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = cipher.update(plaintext);
      cipher.final();
      return Buffer.concat([iv, body, cipher.getAuthTag()]);
    },
    decrypt(message) {
      const decipher = createDecipheriv('aes-256-gcm', key, message.subarray(0, 12));
      decipher.setAuthTag(message.subarray(message.length - 16));
      const body = decipher.update(message.subarray(12, message.length - 16));
      decipher.final();
      return body;
    },
  };
}

async function keyward(context: EncryptionContext | undefined): Promise<Contender> {
  const kw = createKeyward({
    store: new MemoryTenantKeyStore(),
    rootKeys: new LocalRootKey(randomBytes(32)),
  });
  await kw.createTenantKey('bench-tenant');
  return {
    name: 'keyward',
    encrypt: (plaintext) => kw.encrypt('bench-tenant', plaintext, context),
    decrypt: (ciphertext) => kw.decrypt('bench-tenant', ciphertext, context),
  };
}

function awsEsdk(context: EncryptionContext | undefined): Contender {
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench-key',
    keyNamespace: 'bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 5 * 60_000,
    maxMessagesEncrypted: 2 ** 32,
  });
  const encryptionContext = { ...context };
  return {
    name: 'aws-esdk',
    encrypt: async (plaintext) =>
      (await encrypt(cmm, plaintext, { suiteId, encryptionContext, plaintextLength: plaintext.length }))
        .result,
    decrypt: async (ciphertext) => (await decrypt(cmm, ciphertext)).plaintext,
  };
}

/** Operations per second of `operation` over about `budgetMs`. */
async function rate(operation: () => unknown, budgetMs: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 8; i++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/**
 * Whoever runs second in a duel runs measurably faster or slower; the order alternates, so the
 * geometric mean of the per-repetition ratios cancels that bias (a median would pick one side).
 */
const geometricMean = (values: number[]): number =>
  Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface CoreCase {
  size: number;
  operation: 'encrypt' | 'decrypt';
  withContext: boolean;
  opsPerSecond: Record<ContenderName, number>;
  /** Geometric means of the per-repetition ratios (the order alternates, so even repetitions). */
  keywardOverRaw: number;
  keywardOverEsdk: number;
}

export interface CoreBenchmark {
  repetitions: number;
  cases: CoreCase[];
  /** Bytes added to a 1 KiB message, without and with CONTEXT. */
  overhead: Record<ContenderName, { plain: number; withContext: number }>;
}

/**
 * One case, measured as two separate duels, (a) against (b) and (a) against (c): in each
 * repetition the two take turns (the order alternating) in short slices, and the ratio is taken
 * per repetition. A third contender never runs between them, so the garbage and deferred work the
 * AWS Encryption SDK leaves behind cannot land in the raw-GCM comparison.
 */
async function measureCase(
  contenders: Contender[],
  size: number,
  operation: 'encrypt' | 'decrypt',
  repetitions: number,
  budgetMs: number,
) {
  const plaintext = randomBytes(size);
  const inputs = new Map<ContenderName, Buffer>();
  for (const contender of contenders) inputs.set(contender.name, await contender.encrypt(plaintext));
  const run = (contender: Contender) => () =>
    operation === 'encrypt' ? contender.encrypt(plaintext) : contender.decrypt(inputs.get(contender.name)!);
  const [keywardContender, ...baselines] = contenders as [Contender, Contender, Contender];
  const samples = new Map<ContenderName, number[]>(contenders.map((c) => [c.name, []]));
  const ratios = new Map<ContenderName, number[]>();
  for (const baseline of baselines) {
    const duel = [keywardContender, baseline];
    for (const contender of duel) await rate(run(contender), budgetMs); // warm-up: JIT, caches
    const perRepetition: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const round = new Map<ContenderName, number>();
      for (const contender of repetition % 2 === 0 ? duel : [...duel].reverse())
        round.set(contender.name, await rate(run(contender), budgetMs));
      for (const [name, value] of round) samples.get(name)!.push(value);
      perRepetition.push(round.get('keyward')! / round.get(baseline.name)!);
    }
    ratios.set(baseline.name, perRepetition);
  }
  const opsPerSecond = Object.fromEntries(
    [...samples].map(([name, values]) => [name, median(values)]),
  ) as Record<ContenderName, number>;
  return {
    opsPerSecond,
    keywardOverRaw: geometricMean(ratios.get('raw-gcm')!),
    keywardOverEsdk: geometricMean(ratios.get('aws-esdk')!),
  };
}

export async function coreBenchmarks(repetitions = 40, budgetMs = 30): Promise<CoreBenchmark> {
  const plain = [await keyward(undefined), rawGcm(), awsEsdk(undefined)];
  const withContext = [await keyward(CONTEXT), plain[1]!, awsEsdk(CONTEXT)];
  const cases: CoreCase[] = [];
  for (const size of SIZES) {
    for (const operation of ['encrypt', 'decrypt'] as const) {
      // The ESDK manages about 1,000 small messages a second: fewer, longer slices for it are not needed.
      const budget = size >= 1024 * 1024 ? budgetMs * 5 : budgetMs;
      cases.push({
        size,
        operation,
        withContext: false,
        ...(await measureCase(plain, size, operation, repetitions, budget)),
      });
    }
  }
  for (const operation of ['encrypt', 'decrypt'] as const) {
    cases.push({
      size: 1024,
      operation,
      withContext: true,
      ...(await measureCase(withContext, 1024, operation, repetitions, budgetMs)),
    });
  }
  return { repetitions, cases, overhead: await overheads(plain, withContext) };
}

async function overheads(plain: Contender[], withContext: Contender[]): Promise<CoreBenchmark['overhead']> {
  const plaintext = randomBytes(1024);
  const added = async (contender: Contender) =>
    (await contender.encrypt(plaintext)).length - plaintext.length;
  const out: Partial<CoreBenchmark['overhead']> = {};
  for (const [i, contender] of plain.entries())
    out[contender.name] = { plain: await added(contender), withContext: await added(withContext[i]!) };
  return out as CoreBenchmark['overhead'];
}
