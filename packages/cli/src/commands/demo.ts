import { Command } from 'commander';
import type { DemoOptions } from '../demo/run-demo.js';

const HELP = `
The walk-through, each step narrated:
   1. start Keyward and a local AWS (the sandbox), on free ports, in a temporary directory
   2. the platform creates a tenant            3. Keyward shows the Service Role ARN and External ID
   4. the customer creates the CMK, the role, its policies and the key-policy statement, from the kit
   5. the kit's AWS CLI checks (skipped when \`aws\` is not installed; KEYWARD_AWS_CLI names one)
   6. the customer gives Keyward the ARNs      7. Keyward tests the configuration, check by check
   8. BYOK is enabled                          9. the platform encrypts records and reads them
  10. the customer disables the key: reads are refused, with the reason
  11. the customer enables it again: the same records read back, nothing lost
Nothing is left behind, also on Ctrl-C (exit 130) or SIGTERM (143). Real AWS and your other
KEYWARD_* settings are never used.

With --json, one JSON object per line: {"event", "step", "elapsedMs", …}. Events: step, started,
tenant.created, kit.shown, customer.key_created, customer.role_created, customer.key_policy_updated,
awscli.assume_role, awscli.describe_key (or awscli.skipped), byok.configured, check (one per
check), test.finished, byok.enabled, records.encrypted, records.read, customer.key_disabled,
reads.refused, customer.key_enabled, reads.restored, finished; failed when a step fails (exit 1,
or 3 when the Test fails); stopped on Ctrl-C or SIGTERM.

Examples:
  keyward demo
  keyward demo --step
  keyward demo --json | jq -c 'select(.event == "reads.refused")'`;

export function demoCommand(): Command {
  return (
    new Command('demo')
      .description(
        'A narrated two-minute walk through the whole BYOK journey, on a throwaway server and sandbox',
      )
      .option('--step', 'pause before each step until Enter is pressed')
      .option('--json', 'print machine-readable events, one JSON object per line')
      .option('--tenant <id>', "the demo tenant's ID", 'acme')
      .addHelpText('after', HELP)
      // Loaded when run: the demo brings the whole server and sandbox with it.
      .action(async (options: DemoOptions) => (await import('../demo/run-demo.js')).runDemo(options))
  );
}
