import { CommanderError, type Command } from 'commander';
import { CLI_ERRORS } from './cli-errors.js';
import { buildProgram } from './program.js';
import { reportFailure } from './report-failure.js';

/**
 * Commander's own refusals (an unknown option, a missing argument) are usage errors: exit 2, as
 * documented, on one line with the code every other usage error has, and where to read more.
 */
function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  command.configureOutput({
    outputError: (text, write) =>
      write(
        `keyward: KW_USAGE: ${text.replace(/^error: /, '').trim()} (see: ${commandPath(command)} --help)\n`,
      ),
  });
  for (const sub of command.commands) exitOverrideEverywhere(sub);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

const program = buildProgram();
exitOverrideEverywhere(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and --version end with code 0; Commander has already printed its message.
    process.exitCode = error.exitCode === 0 ? 0 : CLI_ERRORS.KW_USAGE.exitCode;
    return;
  }
  process.exitCode = reportFailure(error);
});
