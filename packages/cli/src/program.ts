import { Command } from 'commander';
import { sandboxCommand } from './commands/sandbox.js';
import { serveCommand } from './commands/serve.js';

export function buildProgram(): Command {
  return new Command('keyward')
    .description('Keyward: bring-your-own-key (BYOK) on AWS KMS for multi-tenant SaaS platforms')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(sandboxCommand());
}
