import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { byokCommand } from './commands/byok.js';
import { dataCommands } from './commands/data.js';
import { demoCommand } from './commands/demo.js';
import { jobsCommand } from './commands/jobs.js';
import { keysCommand } from './commands/keys.js';
import { sandboxCommand } from './commands/sandbox.js';
import { serveCommand } from './commands/serve.js';
import { tenantsCommand } from './commands/tenants.js';
import { verifyCommand } from './commands/verify.js';

export function buildProgram(): Command {
  const [encrypt, decrypt, rewrap] = dataCommands() as [Command, Command, Command];
  return new Command('keyward')
    .description('Keyward: bring-your-own-key (BYOK) on AWS KMS for multi-tenant SaaS platforms')
    .version('0.1.0')
    .option('--verbose', 'on failure, print the stack trace as well as the one-line error')
    .addCommand(demoCommand())
    .addCommand(serveCommand())
    .addCommand(sandboxCommand())
    .addCommand(tenantsCommand())
    .addCommand(byokCommand())
    .addCommand(keysCommand())
    .addCommand(encrypt)
    .addCommand(decrypt)
    .addCommand(rewrap)
    .addCommand(verifyCommand())
    .addCommand(auditCommand())
    .addCommand(jobsCommand())
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage error or bad input, 3 a check failed.\nErrors are one line, `keyward: CODE: message`, with the stable code (docs/errors.md); --verbose adds the stack trace.\nCommands that talk to a server take --url and --token (or KEYWARD_URL, KEYWARD_TOKEN) and --json.',
    );
}
