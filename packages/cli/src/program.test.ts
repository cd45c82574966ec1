import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

/** Every command a user can run (the leaves of the tree), with its full path. */
function leaves(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  const here = [...path, command.name()];
  const children = command.commands.filter((child) => child.name() !== 'help');
  return children.length === 0
    ? [{ path: here.join(' '), command }]
    : children.flatMap((child) => leaves(child, here));
}

function fullHelp(command: Command): string {
  let text = '';
  command.configureOutput({
    writeOut: (chunk) => {
      text += chunk;
    },
    writeErr: (chunk) => {
      text += chunk;
    },
  });
  command.outputHelp();
  return text;
}

describe('the keyward command tree (issue 8: conventions)', () => {
  const commands = leaves(buildProgram());

  it('has every command the issue names', () => {
    expect(commands.map((entry) => entry.path).sort()).toEqual([
      'keyward audit list',
      'keyward audit verify',
      'keyward byok enable',
      'keyward byok kit',
      'keyward byok revert',
      'keyward byok set',
      'keyward byok status',
      'keyward byok switch-cmk',
      'keyward byok test',
      'keyward decrypt',
      'keyward demo',
      'keyward encrypt',
      'keyward jobs list',
      'keyward jobs watch',
      'keyward keys floors',
      'keyward keys list',
      'keyward keys rotate',
      'keyward rewrap',
      'keyward sandbox',
      'keyward serve',
      'keyward tenants create',
      'keyward tenants list',
      'keyward tenants show',
      'keyward verify',
    ]);
  });

  it.each(commands.map((entry) => [entry.path, entry.command] as const))(
    '%s: --help has a description and examples, and --json is offered',
    (_path, command) => {
      expect(command.description().length).toBeGreaterThan(10);
      expect(fullHelp(command)).toMatch(/Examples?:\n {2}keyward /);
      expect(command.options.map((option) => option.long)).toContain('--json');
    },
  );

  it('the top-level help documents the exit codes, the error format and --verbose', () => {
    const help = fullHelp(buildProgram());
    expect(help).toContain('Exit codes: 0 ok, 1 failure, 2 usage error or bad input, 3 a check failed.');
    expect(help).toContain('--verbose');
    expect(help).toContain('keyward: CODE: message');
  });
});
