import { describe, expect, it } from 'vitest';
import { IAM_OPERATIONS } from './iam/operations.js';
import { KMS_OPERATIONS } from './kms/operations.js';
import { isKnownOperation, isOperationOf, OPERATION_NAMES } from './operation-names.js';
import { STS_OPERATIONS } from './sts/operations.js';

describe('operation names', () => {
  it('each handler table serves exactly the names listed for its service', () => {
    expect(Object.keys(KMS_OPERATIONS).sort()).toEqual([...OPERATION_NAMES.kms].sort());
    expect(Object.keys(STS_OPERATIONS).sort()).toEqual([...OPERATION_NAMES.sts].sort());
    expect(Object.keys(IAM_OPERATIONS).sort()).toEqual([...OPERATION_NAMES.iam].sort());
  });

  it('names match exactly and per service; prototype names are never operations', () => {
    expect(isOperationOf('kms', 'Decrypt')).toBe(true);
    expect(isOperationOf('sts', 'Decrypt')).toBe(false);
    expect(isOperationOf('kms', 'decrypt')).toBe(false);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(isKnownOperation(undefined, name), name).toBe(false);
    expect(isKnownOperation(undefined, 'AssumeRole')).toBe(true);
    expect(isKnownOperation('iam', 'AssumeRole')).toBe(false);
  });
});
