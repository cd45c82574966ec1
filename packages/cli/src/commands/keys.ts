import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { connectionOf, UsageError, withConnection, type ServerOptions } from '../connection.js';
import { dim, printJson, printLines } from '../output.js';

type Options = ServerOptions;

const path = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}/keys`;

function floor(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new UsageError(`${name} must be a whole number (0 or more), not "${value}".`);
  return number;
}

export function keysCommand(): Command {
  const keys = new Command('keys').description("A tenant's key versions: list, rotate, floors");
  keys.addCommand(
    withConnection(new Command('list'))
      .description('Key versions, what wraps each, and the floors')
      .argument('<tenant>', 'tenant ID')
      .addHelpText('after', '\nExample:\n  keyward keys list acme')
      .action(async (tenant: string, options: Options) => {
        const info = await new ApiClient(connectionOf(options)).call('GET', path(tenant));
        if (options.json) return printJson(info);
        printLines([
          `latest ${info.latestVersion}; encryption floor ${info.minEncryptionVersion === 0 ? 'none' : info.minEncryptionVersion}; decryption floor ${info.minDecryptionVersion}`,
          dim(`${'VERSION'.padEnd(8)} ${'CREATED'.padEnd(25)} WRAPPED BY`),
          ...info.versions.map(
            (v: { version: number; createdAt: string; rootKeyId: string }) =>
              `${String(v.version).padEnd(8)} ${v.createdAt.padEnd(25)} ${v.rootKeyId}`,
          ),
        ]);
      }),
  );
  keys.addCommand(
    withConnection(new Command('rotate'))
      .description('Add a new latest key version (new data uses it; old data still decrypts)')
      .argument('<tenant>', 'tenant ID')
      .addHelpText('after', '\nExample:\n  keyward keys rotate acme')
      .action(async (tenant: string, options: Options) => {
        const info = await new ApiClient(connectionOf(options)).call('POST', `${path(tenant)}/rotate`);
        if (options.json) return printJson(info);
        printLines([`${tenant}: key version ${info.version} is now the latest.`]);
      }),
  );
  keys.addCommand(
    withConnection(new Command('floors'))
      .description("Set the encryption and decryption floors (Vault transit's rules)")
      .argument('<tenant>', 'tenant ID')
      .option('--min-encryption <version>', 'lowest version new data may use (0: the latest)')
      .option('--min-decryption <version>', 'lowest version that may still be decrypted')
      .addHelpText('after', '\nExample:\n  keyward keys floors acme --min-decryption 2')
      .action(
        async (tenant: string, options: Options & { minEncryption?: string; minDecryption?: string }) => {
          const body = {
            ...(options.minEncryption === undefined
              ? {}
              : { minEncryptionVersion: floor(options.minEncryption, '--min-encryption') }),
            ...(options.minDecryption === undefined
              ? {}
              : { minDecryptionVersion: floor(options.minDecryption, '--min-decryption') }),
          };
          if (Object.keys(body).length === 0)
            throw new UsageError('Give --min-encryption, --min-decryption, or both.');
          const policy = await new ApiClient(connectionOf(options)).call(
            'PUT',
            `${path(tenant)}/floors`,
            body,
          );
          if (options.json) return printJson(policy);
          printLines([
            `${tenant}: encryption floor ${policy.minEncryptionVersion === 0 ? 'none' : policy.minEncryptionVersion}, decryption floor ${policy.minDecryptionVersion}.`,
          ]);
        },
      ),
  );
  return keys;
}
