import { systemClock, type Clock } from './clock.js';
import { resolveSandboxConfig, type SandboxConfig, type SandboxConfigInput } from './config.js';
import { FaultInjector } from './faults/faults.js';
import { dispatcher } from './http/dispatch.js';
import { AwsRequestHandler } from './http/handle-aws-request.js';
import { listen } from './http/server.js';
import type { SandboxServices } from './operation-context.js';
import { buildState } from './seed/build-state.js';
import { defaultSeed } from './seed/default-seed.js';
import { SandboxError } from './sandbox-errors.js';
import { loadSeedFile } from './seed/load-seed.js';
import type { SeedInput } from './seed/seed-schema.js';
import { loadState, saveState } from './state/persistence.js';
import { SandboxStore } from './state/store.js';
import type { SandboxData } from './state/types.js';
import { Trail } from './trail/trail.js';
import { SandboxAdminClient } from './admin-client.js';

export interface StartSandboxOptions extends Partial<Omit<SandboxConfigInput, 'seed'>> {
  /** A seed object, or the path of a JSON/YAML seed file. Default: KEYWARD_SANDBOX_SEED, else the documented defaults. */
  seed?: SeedInput | string;
  /** Resource time (tests move it forward); defaults to the system clock. */
  clock?: Clock;
  /** Randomness for probabilistic faults. */
  random?: () => number;
  env?: NodeJS.ProcessEnv;
}

export interface SandboxUserCredentials {
  account: string;
  accountAlias?: string;
  userName: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunningSandbox {
  /** `http://<host>:<port>`, for `endpoint` in AWS SDK clients and `--endpoint-url` in the AWS CLI. */
  endpoint: string;
  host: string;
  port: number;
  region: string;
  config: SandboxConfig;
  /** Every seeded user's access keys. */
  users: SandboxUserCredentials[];
  /** Access keys of a seeded user (default: the account's `admin`). */
  credentials(account: string, userName?: string): { accessKeyId: string; secretAccessKey: string };
  store: SandboxStore;
  clock: Clock;
  faults: FaultInjector;
  trail: Trail;
  /** The same admin API over HTTP, as another process would use it. */
  admin: SandboxAdminClient;
  close(): Promise<void>;
}

/** Starts the sandbox on `port` (0 picks a free one) and returns its endpoint and credentials. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { seed: seedOption, clock: clockOption, random, env, ...configOptions } = options;
  const config = resolveSandboxConfig(
    { ...configOptions, seed: typeof seedOption === 'string' ? seedOption : undefined },
    env,
  );
  const clock = clockOption ?? systemClock();
  const seed = (): SandboxData =>
    buildState(readSeed(seedOption, config), { region: config.region, now: clock.now() });
  const persist = config.dataDir ? (data: SandboxData) => saveState(config.dataDir!, data) : undefined;
  const store = new SandboxStore((config.dataDir && loadState(config.dataDir)) || seed(), persist);
  store.commit();
  const services: SandboxServices = { store, clock, config, faults: new FaultInjector(random) };
  const trail = new Trail(config.trailLimit);
  const aws = new AwsRequestHandler(services, trail);
  const reset = () => {
    store.replace(seed());
    trail.clear();
    services.faults.clear();
  };

  const listening = await listen(
    dispatcher(aws, { services, trail, reset, describe: () => describeState(store) }),
    config.host,
    config.port,
  );
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const endpoint = `http://${hostForUrl}:${listening.port}`;
  const users = userCredentials(store);
  return {
    endpoint,
    host: config.host,
    port: listening.port,
    region: config.region,
    config,
    users,
    credentials(account, userName = 'admin') {
      const user = users.find(
        (candidate) => candidate.account === account && candidate.userName === userName,
      );
      if (!user)
        throw new SandboxError('KW_SANDBOX_NO_SUCH_USER', {
          message: `The sandbox has no access key for user ${userName} in account ${account}`,
        });
      return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
    },
    store,
    clock,
    faults: services.faults,
    trail,
    admin: new SandboxAdminClient(endpoint, config.adminToken),
    close: listening.close,
  };
}

function readSeed(option: SeedInput | string | undefined, config: SandboxConfig): SeedInput {
  if (option !== undefined && typeof option !== 'string') return option;
  if (config.seed !== undefined) return loadSeedFile(config.seed);
  return defaultSeed(config.region);
}

function userCredentials(store: SandboxStore): SandboxUserCredentials[] {
  return Object.values(store.data.accounts).flatMap((account) =>
    Object.values(account.users).flatMap((user) =>
      user.accessKeys.map((key) => ({
        account: account.id,
        accountAlias: account.alias,
        userName: user.name,
        arn: user.arn,
        accessKeyId: key.id,
        secretAccessKey: key.secret,
      })),
    ),
  );
}

/** A secret-free summary of the sandbox's resources, for the admin API. */
function describeState(store: SandboxStore) {
  return {
    accounts: Object.values(store.data.accounts).map((account) => ({
      id: account.id,
      alias: account.alias,
      users: Object.values(account.users).map((user) => ({
        arn: user.arn,
        accessKeyIds: user.accessKeys.map((key) => key.id),
      })),
      roles: Object.values(account.roles).map((role) => role.arn),
      policies: Object.keys(account.policies),
    })),
    keys: Object.values(store.data.keys).map((key) => ({
      arn: key.arn,
      state: key.state,
      description: key.description,
    })),
    aliases: Object.values(store.data.aliases).map((alias) => ({
      arn: alias.aliasArn,
      targetKeyId: alias.targetKeyId,
    })),
    activeSessions: Object.values(store.data.sessions).length,
  };
}
