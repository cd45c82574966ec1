import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { connectionOf, withConnection, type ServerOptions } from '../connection.js';
import { dim, green, printJson, printLines, red } from '../output.js';

type Options = ServerOptions;

export function auditCommand(): Command {
  const audit = new Command('audit').description('The audit log: list events, verify the hash chain');
  audit.addCommand(
    withConnection(new Command('list'))
      .description('Events, newest first (operator: every tenant; filter with --tenant)')
      .option('--tenant <id>', "one tenant's events")
      .option('--operation <name>', 'an operation, or a prefix ending in * (byok.*, kms.*)')
      .option('--limit <n>', 'at most this many (1-500)', '50')
      .addHelpText(
        'after',
        '\nExamples:\n  keyward audit list --tenant acme --operation "byok.*"\n  keyward audit list --json --limit 500',
      )
      .action(async (options: Options & { tenant?: string; operation?: string; limit: string }) => {
        const query = new URLSearchParams({
          limit: options.limit,
          ...(options.operation === undefined ? {} : { operation: options.operation }),
        });
        const base =
          options.tenant === undefined
            ? '/v1/audit'
            : `/v1/tenants/${encodeURIComponent(options.tenant)}/audit`;
        const { events } = await new ApiClient(connectionOf(options)).call('GET', `${base}?${query}`);
        if (options.json) return printJson(events);
        printLines(
          events.length === 0
            ? ['No events.']
            : events.map(
                (e: {
                  at: string;
                  tenantId: string | null;
                  operation: string;
                  outcome: string;
                  actor: string;
                }) =>
                  `${dim(e.at)} ${(e.tenantId ?? '-').padEnd(16)} ${e.operation.padEnd(28)} ${e.outcome.padEnd(8)} ${e.actor}`,
              ),
        );
      }),
  );
  audit.addCommand(
    withConnection(new Command('verify'))
      .description('Recompute the hash chain (operator); exit 1 if it is broken')
      .option('--head <hash>', 'a head kept from an earlier verify: the chain must still contain it')
      .addHelpText('after', '\nExample:\n  keyward audit verify --head "$(cat last-head)"')
      .action(async (options: Options & { head?: string }) => {
        const result = await new ApiClient(connectionOf(options)).call(
          'GET',
          `/v1/audit/verify${options.head === undefined ? '' : `?head=${encodeURIComponent(options.head)}`}`,
        );
        if (options.json) printJson(result);
        else
          printLines(
            result.ok
              ? [`${green('The chain verifies')}: ${result.events} events, head ${result.head}`]
              : [
                  `${red('The chain is broken')}${result.brokenAt === null ? '' : ` at event ${result.brokenAt}`}: ${result.reason}`,
                ],
          );
        if (!result.ok) process.exitCode = 1;
      }),
  );
  return audit;
}
