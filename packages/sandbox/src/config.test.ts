import { describe, expect, it } from 'vitest';
import {
  resolveSandboxConfig,
  SANDBOX_DEFAULTS,
  SANDBOX_ENV_NAMES,
  SandboxConfigError,
  type SandboxConfigInput,
} from './config.js';

const TOKEN = 'a-long-enough-admin-token';

/** Resolves and returns the SandboxConfigError it throws (failing the test if it does not). */
function configError(options: Partial<SandboxConfigInput>, env: NodeJS.ProcessEnv = {}): SandboxConfigError {
  try {
    resolveSandboxConfig(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxConfigError);
    return error as SandboxConfigError;
  }
  throw new Error('expected a SandboxConfigError');
}

describe('resolveSandboxConfig', () => {
  it('uses the defaults with no options and no environment', () => {
    expect(resolveSandboxConfig({}, {})).toEqual({
      host: '127.0.0.1',
      port: 4599,
      region: 'us-east-1',
      trailLimit: 10_000,
    });
    expect(SANDBOX_DEFAULTS).toEqual({
      host: '127.0.0.1',
      port: 4599,
      region: 'us-east-1',
      trailLimit: 10_000,
    });
  });

  it('ignores environment variables that are not its own', () => {
    expect(resolveSandboxConfig({}, { PORT: '1', AWS_REGION: 'eu-west-1', HOST: '0.0.0.0' })).toEqual(
      resolveSandboxConfig({}, {}),
    );
  });

  it('reads every KEYWARD_SANDBOX_* variable', () => {
    const env = {
      KEYWARD_SANDBOX_HOST: '0.0.0.0',
      KEYWARD_SANDBOX_PORT: '4600',
      KEYWARD_SANDBOX_REGION: 'eu-west-2',
      KEYWARD_SANDBOX_SEED: './seed.yaml',
      KEYWARD_SANDBOX_DATA_DIR: '/tmp/sandbox-data',
      KEYWARD_SANDBOX_ADMIN_TOKEN: TOKEN,
      KEYWARD_SANDBOX_TRAIL_LIMIT: '50',
    };
    expect(resolveSandboxConfig({}, env)).toEqual({
      host: '0.0.0.0',
      port: 4600,
      region: 'eu-west-2',
      seed: './seed.yaml',
      dataDir: '/tmp/sandbox-data',
      adminToken: TOKEN,
      trailLimit: 50,
    });
  });

  it('names exactly these variables', () => {
    expect(SANDBOX_ENV_NAMES).toEqual({
      host: 'KEYWARD_SANDBOX_HOST',
      port: 'KEYWARD_SANDBOX_PORT',
      region: 'KEYWARD_SANDBOX_REGION',
      seed: 'KEYWARD_SANDBOX_SEED',
      dataDir: 'KEYWARD_SANDBOX_DATA_DIR',
      adminToken: 'KEYWARD_SANDBOX_ADMIN_TOKEN',
      trailLimit: 'KEYWARD_SANDBOX_TRAIL_LIMIT',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(resolveSandboxConfig({}, { KEYWARD_SANDBOX_PORT: '', KEYWARD_SANDBOX_ADMIN_TOKEN: '' })).toEqual({
      host: '127.0.0.1',
      port: 4599,
      region: 'us-east-1',
      trailLimit: 10_000,
    });
  });

  it('lets explicit options win over the environment', () => {
    const env = {
      KEYWARD_SANDBOX_PORT: '4600',
      KEYWARD_SANDBOX_REGION: 'eu-west-2',
      KEYWARD_SANDBOX_HOST: '127.0.0.2',
    };
    expect(resolveSandboxConfig({ port: 0, region: 'ap-southeast-2' }, env)).toEqual({
      host: '127.0.0.2',
      port: 0,
      region: 'ap-southeast-2',
      trailLimit: 10_000,
    });
  });

  it('refuses to listen beyond loopback without an admin token, and accepts it with one', () => {
    expect(() => resolveSandboxConfig({ host: '0.0.0.0' }, {})).toThrow(
      'Invalid sandbox configuration: adminToken (KEYWARD_SANDBOX_ADMIN_TOKEN): listening beyond loopback needs an admin token (KEYWARD_SANDBOX_ADMIN_TOKEN) to protect the /_sandbox/ API',
    );
    expect(
      resolveSandboxConfig({ host: '0.0.0.0' }, { KEYWARD_SANDBOX_ADMIN_TOKEN: 'a-long-enough-admin-token' })
        .host,
    ).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', 'localhost', '::1'])
      expect(resolveSandboxConfig({ host }, {}).host).toBe(host);
  });

  it('treats an explicit undefined as not given', () => {
    expect(
      resolveSandboxConfig(
        { port: undefined, seed: undefined },
        { KEYWARD_SANDBOX_PORT: '4601', KEYWARD_SANDBOX_SEED: 's.json' },
      ),
    ).toMatchObject({ port: 4601, seed: 's.json' });
  });

  it.each([['us-gov-west-1'], ['cn-north-1'], ['ap-southeast-2'], ['us-isob-east-1']])(
    'accepts the region %s',
    (region) => {
      expect(resolveSandboxConfig({}, { KEYWARD_SANDBOX_REGION: region }).region).toBe(region);
    },
  );

  it.each([
    ['KEYWARD_SANDBOX_PORT', 'not-a-port', 'port (KEYWARD_SANDBOX_PORT)'],
    ['KEYWARD_SANDBOX_PORT', '65536', 'port (KEYWARD_SANDBOX_PORT)'],
    ['KEYWARD_SANDBOX_PORT', '-1', 'port (KEYWARD_SANDBOX_PORT)'],
    ['KEYWARD_SANDBOX_PORT', '80.5', 'port (KEYWARD_SANDBOX_PORT)'],
    [
      'KEYWARD_SANDBOX_REGION',
      'US-EAST-1',
      'region (KEYWARD_SANDBOX_REGION): region must look like us-east-1',
    ],
    ['KEYWARD_SANDBOX_REGION', 'moon', 'region (KEYWARD_SANDBOX_REGION): region must look like us-east-1'],
    [
      'KEYWARD_SANDBOX_ADMIN_TOKEN',
      'short',
      'adminToken (KEYWARD_SANDBOX_ADMIN_TOKEN): the admin token must have at least 16 characters',
    ],
    ['KEYWARD_SANDBOX_TRAIL_LIMIT', '0', 'trailLimit (KEYWARD_SANDBOX_TRAIL_LIMIT)'],
    ['KEYWARD_SANDBOX_TRAIL_LIMIT', '1000001', 'trailLimit (KEYWARD_SANDBOX_TRAIL_LIMIT)'],
    ['KEYWARD_SANDBOX_TRAIL_LIMIT', 'lots', 'trailLimit (KEYWARD_SANDBOX_TRAIL_LIMIT)'],
  ])('refuses %s=%j, naming the variable', (name, value, expected) => {
    const error = configError({}, { [name]: value });
    expect(error.message.startsWith('Invalid sandbox configuration: ')).toBe(true);
    expect(error.message).toContain(expected);
    expect(error.code).toBe('KW_SANDBOX_CONFIG');
    expect(error.name).toBe('SandboxConfigError');
  });

  it('refuses a bad explicit option, naming its variable too', () => {
    expect(configError({ port: 70_000 }).message).toContain('port (KEYWARD_SANDBOX_PORT)');
    expect(configError({ host: '' }).message).toContain('host (KEYWARD_SANDBOX_HOST)');
  });

  it('lists every problem at once', () => {
    const message = configError({}, { KEYWARD_SANDBOX_PORT: 'x', KEYWARD_SANDBOX_REGION: 'moon' }).message;
    expect(message).toMatch(
      /^Invalid sandbox configuration: port \(KEYWARD_SANDBOX_PORT\): .+; region \(KEYWARD_SANDBOX_REGION\): region must look like us-east-1$/,
    );
  });

  it('does not consult the environment for a value an explicit option fixes', () => {
    expect(resolveSandboxConfig({ port: 5000 }, { KEYWARD_SANDBOX_PORT: 'garbage' }).port).toBe(5000);
  });

  it('refuses an unknown option', () => {
    const error = configError({ colour: 'blue' } as Partial<SandboxConfigInput>);
    expect(error.message).toContain('colour');
  });
});
