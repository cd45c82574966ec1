import { ERROR_CATALOGUE, KeywardError, type ErrorCode, type KeyFinding, type Keyward } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { DataPlane } from './data-plane.js';

/** A data plane whose every decrypt fails with the next of `errors`, and the findings it learned. */
function failingWith(errors: KeywardError[]): { plane: DataPlane; learned: Array<[string, KeyFinding]> } {
  const queue = [...errors];
  const keyward = {
    decrypt: async () => {
      throw queue.shift();
    },
  } as unknown as Keyward;
  const learned: Array<[string, KeyFinding]> = [];
  const plane = new DataPlane(keyward, undefined, async (tenantId, finding) => {
    learned.push([tenantId, finding]);
  });
  return { plane, learned };
}

describe("DataPlane learns what the catalogue's findings say", () => {
  it('learns the finding of every code that has one, and nothing from any other code', async () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const { plane, learned } = failingWith([new KeywardError(code as ErrorCode)]);
      await expect(plane.decrypt('acme', [{ ciphertext: 'kw1:x' }])).rejects.toMatchObject({ code });
      expect(learned, code).toEqual(entry.finding === null ? [] : [['acme', entry.finding]]);
    }
  });

  it('a withdrawal outranks an outage in the same batch: one denied item is enough to revoke', async () => {
    const { plane, learned } = failingWith([
      new KeywardError('KW_AWS_UNAVAILABLE'),
      new KeywardError('KW_KMS_ACCESS_DENIED'),
      new KeywardError('KW_AWS_THROTTLED'),
    ]);
    await expect(
      plane.decrypt(
        'acme',
        [1, 2, 3].map(() => ({ ciphertext: 'kw1:x' })),
      ),
    ).rejects.toThrow();
    expect(learned).toEqual([['acme', 'denied']]);
  });
});
