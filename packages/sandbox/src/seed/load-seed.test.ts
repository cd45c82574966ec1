import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildState, SeedError } from './build-state.js';
import { loadSeedFile } from './load-seed.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-seed-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, 'utf8');
  return path;
}

const YAML_SEED = `
accounts:
  - id: "111122223333"
    alias: platform
    users:
      - name: admin
        accessKeys:
          - id: AKIA111122223333ADMN
            secret: sandbox-secret-111122223333
        managedPolicies: [AdministratorAccess]
    roles:
      - name: tenant-role
        trustPolicy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { AWS: "arn:aws:iam::111122223333:root" }
              Action: sts:AssumeRole
              Condition:
                StringEquals: { "sts:ExternalId": tenant-42 }
    keys:
      - aliases: [alias/tenant]
        tags: { team: blue }
`;

const JSON_SEED = {
  accounts: [
    {
      id: '444455556666',
      users: [
        {
          name: 'ops',
          inlinePolicies: {
            kms: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
          },
        },
      ],
    },
  ],
};

function loadError(path: string): string {
  try {
    loadSeedFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return (error as Error).message;
  }
  throw new Error('expected a SeedError');
}

describe('loadSeedFile', () => {
  it('reads a YAML seed that builds', () => {
    const seed = loadSeedFile(write('seed.yaml', YAML_SEED));
    expect(seed.accounts[0]!.id).toBe('111122223333');
    const data = buildState(seed, { region: 'us-east-1', now: 0 });
    const role = data.accounts['111122223333']!.roles['tenant-role']!;
    expect(JSON.parse(role.trustPolicy).Statement[0].Condition).toEqual({
      StringEquals: { 'sts:ExternalId': 'tenant-42' },
    });
    expect(data.accounts['111122223333']!.users.admin!.attachedPolicies).toEqual([
      'arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
    expect(Object.values(data.keys)[0]!.tags).toEqual([{ key: 'team', value: 'blue' }]);
    expect(Object.keys(data.aliases)).toEqual(['arn:aws:kms:us-east-1:111122223333:alias/tenant']);
  });

  it('reads a JSON seed that builds', () => {
    const seed = loadSeedFile(write('seed.json', JSON.stringify(JSON_SEED, null, 2)));
    expect(seed).toEqual(JSON_SEED);
    const data = buildState(seed, { region: 'us-east-1', now: 0 });
    expect(Object.keys(data.accounts['444455556666']!.users.ops!.inlinePolicies)).toEqual(['kms']);
  });

  it('reads JSON text from a .yml file (YAML is a superset of JSON)', () => {
    expect(loadSeedFile(write('seed.yml', JSON.stringify(JSON_SEED)))).toEqual(JSON_SEED);
  });

  it('keeps a quoted account ID a string in YAML', () => {
    expect(loadSeedFile(write('quoted.yaml', 'accounts:\n  - id: "012345678901"\n')).accounts[0]!.id).toBe(
      '012345678901',
    );
  });

  it('refuses a missing file', () => {
    const path = join(dir, 'missing.yaml');
    expect(loadError(path)).toMatch(
      new RegExp(`^Cannot read seed file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`),
    );
  });

  it('refuses invalid JSON in a .json file', () => {
    const path = write('broken.json', '{"accounts": [');
    expect(loadError(path).startsWith(`Seed file ${path} is not valid JSON: `)).toBe(true);
  });

  it('refuses invalid YAML', () => {
    const path = write('broken.yaml', 'accounts:\n  - id: "1\n    users: [\n');
    expect(loadError(path).startsWith(`Seed file ${path} is not valid YAML: `)).toBe(true);
  });

  it('leaves validation to buildState, which names the path', () => {
    const seed = loadSeedFile(write('invalid.yaml', 'accounts:\n  - id: 12345\n'));
    expect(() => buildState(seed, { region: 'us-east-1', now: 0 })).toThrow(SeedError);
    expect(() => buildState(seed, { region: 'us-east-1', now: 0 })).toThrow(
      /^Invalid seed: accounts\.0\.id: /,
    );
  });
});
