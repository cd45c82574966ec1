import { CommanderError, type Command } from 'commander';
import { buildProgram } from './program.js';
import { reportFailure } from './report-failure.js';

/** Commander's own refusals (an unknown option, a missing argument) are usage errors: exit 2, as documented. */
function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideEverywhere(sub);
}

const program = buildProgram();
exitOverrideEverywhere(program);
program
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and --version end with code 0; Commander has already printed its message.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportFailure(error);
  });
