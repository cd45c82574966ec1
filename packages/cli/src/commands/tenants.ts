import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { connectionOf, withConnection, type ServerOptions } from '../connection.js';
import { dim, printJson, printLines } from '../output.js';

type Options = ServerOptions;

interface TenantView {
  id: string;
  name: string;
  createdAt: string;
  byok: {
    state: string;
    externalId: string | null;
    roleArn: string | null;
    cmkArn: string | null;
    stateReason: string | null;
  };
}

const row = (tenant: TenantView) => `${tenant.id.padEnd(24)} ${tenant.byok.state.padEnd(16)} ${tenant.name}`;

export function tenantsCommand(): Command {
  const tenants = new Command('tenants').description('Create, list and show tenants (operator)');
  tenants.addCommand(
    withConnection(new Command('create'))
      .description('Create a tenant; its data is encrypted under the platform key until it enables BYOK')
      .argument('<id>', 'tenant ID: letters, digits, ".", "_" or "-"')
      .requiredOption('--name <name>', 'display name')
      .addHelpText('after', '\nExample:\n  keyward tenants create acme --name "Acme Corp"')
      .action(async (id: string, options: Options & { name: string }) => {
        const tenant = (await new ApiClient(connectionOf(options)).call('POST', '/v1/tenants', {
          id,
          name: options.name,
        })) as TenantView;
        if (options.json) printJson(tenant);
        else
          printLines([
            `Created tenant ${tenant.id} (${tenant.name}).`,
            dim(`Next: keyward byok kit ${tenant.id}`),
          ]);
      }),
  );
  tenants.addCommand(
    withConnection(new Command('list'))
      .description('List every tenant with its BYOK state')
      .addHelpText('after', '\nExamples:\n  keyward tenants list\n  keyward tenants list --json')
      .action(async (options: Options) => {
        const { tenants: list } = (await new ApiClient(connectionOf(options)).call('GET', '/v1/tenants')) as {
          tenants: TenantView[];
        };
        if (options.json) printJson(list);
        else
          printLines(
            list.length === 0
              ? ['No tenants yet.']
              : [dim(`${'TENANT'.padEnd(24)} ${'BYOK STATE'.padEnd(16)} NAME`), ...list.map(row)],
          );
      }),
  );
  tenants.addCommand(
    withConnection(new Command('show'))
      .description('Show one tenant and its BYOK configuration')
      .argument('<id>', 'tenant ID')
      .addHelpText('after', '\nExample:\n  keyward tenants show acme')
      .action(async (id: string, options: Options) => {
        const tenant = (await new ApiClient(connectionOf(options)).call(
          'GET',
          `/v1/tenants/${encodeURIComponent(id)}`,
        )) as TenantView;
        if (options.json) return printJson(tenant);
        printLines([
          `${tenant.name} (${tenant.id})`,
          `  BYOK state   ${tenant.byok.state}${tenant.byok.stateReason === null ? '' : ` (${tenant.byok.stateReason})`}`,
          `  External ID  ${tenant.byok.externalId ?? '-'}`,
          `  Role ARN     ${tenant.byok.roleArn ?? '-'}`,
          `  CMK ARN      ${tenant.byok.cmkArn ?? '-'}`,
        ]);
      }),
  );
  return tenants;
}
