import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSES } from './diagnoses.js';
import { remediationFor } from './remediation.js';
import { platformIdentity } from './kit-input.js';

const ROW = /^\| `(KW_CHECK_[A-Z_]+)` \| (\w+) \| ([\w-]+|—) \| (\d|—) \| (yes|no) \| (.+) \|$/;

describe('onboarding diagnoses catalogue', () => {
  it('docs/onboarding.md lists exactly the catalogue, with the same status, artifact, step, retryability and meaning', () => {
    const markdown = readFileSync(new URL('../../../../docs/onboarding.md', import.meta.url), 'utf8');
    const documented = new Map<string, unknown>();
    for (const line of markdown.split('\n')) {
      const match = ROW.exec(line);
      if (match === null) continue;
      documented.set(match[1]!, {
        status: match[2],
        artifact: match[3] === '—' ? null : match[3],
        step: match[4] === '—' ? null : Number(match[4]),
        retryable: match[5] === 'yes',
        summary: match[6],
      });
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(DIAGNOSES).sort());
    for (const [code, diagnosis] of Object.entries(DIAGNOSES))
      expect(documented.get(code), code).toEqual({ ...diagnosis });
  });

  it("every failing or warning diagnosis names an artifact and a step, or is retryable / the platform's, and has a remediation", () => {
    const subject = {
      platform: platformIdentity('arn:aws:iam::111122223333:role/keyward-service'),
      tenantId: 'acme',
      externalId: 'kw-abc',
      roleArn: 'arn:aws:iam::444455556666:role/R',
      keyArn: 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    };
    for (const [code, diagnosis] of Object.entries(DIAGNOSES)) {
      const remediation = remediationFor(code as keyof typeof DIAGNOSES, subject);
      if (diagnosis.status === 'pass' || diagnosis.status === 'skipped') {
        expect(remediation, code).toBeNull();
        continue;
      }
      expect(remediation, code).toEqual(expect.any(String));
      if (!diagnosis.retryable && code !== 'KW_CHECK_UNEXPECTED' && code !== 'KW_CHECK_ROUND_TRIP_MISMATCH') {
        expect(diagnosis.artifact, code).not.toBeNull();
        expect(remediation, code).toMatch(/step|operator|Nothing to fix/);
      }
    }
  });
});
