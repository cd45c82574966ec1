import { createInterface } from 'node:readline';
import { checkTenantId } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { ApiClient } from '../api-client.js';
import { bold, dim, green } from '../output.js';
import { CustomerAccount } from './customer-account.js';
import { startDemoEnvironment } from './demo-environment.js';
import { DemoReporter } from './demo-reporter.js';
import { DEMO_STEPS, type DemoContext } from './demo-steps.js';

export interface DemoOptions { json?: boolean; step?: boolean; tenant?: string }

/**
 * Waits for Enter between steps, prompting on stderr so that --json output stays clean. Lines are
 * counted as they arrive, so piped input works too; once stdin closes, the demo stops pausing.
 */
function pauser(enabled: boolean) {
  if (!enabled) return { pause: async () => undefined, close: () => undefined };
  const lines = createInterface({ input: process.stdin });
  let available = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  lines.on('line', () => { available += 1; wake?.(); });
  lines.on('close', () => { closed = true; wake?.(); });
  return {
    async pause(next: string) {
      process.stderr.write(dim(`\n  Press Enter for: ${next} `));
      while (available === 0 && !closed) await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
      if (available > 0) available -= 1;
      else process.stderr.write('\n');
    },
    close: () => lines.close(),
  };
}

/**
 * The customer journey end to end on a throwaway Keyward and sandbox; everything it starts is
 * stopped and its temporary directory removed, also when a step fails or the user presses Ctrl-C.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  checkTenantId(options.tenant ?? 'acme');
  const report = new DemoReporter(options.json === true);
  const pauses = pauser(options.step === true);
  if (!options.json) process.stdout.write(`${bold('Keyward demo')}: a customer brings their own key, then takes it away.\n`);
  const [first] = DEMO_STEPS;
  // Starting takes a few seconds (migrations, key set-up): say so before it happens.
  report.step(1, DEMO_STEPS.length, first!.id, first!.title, first!.narration);
  const env = await startDemoEnvironment();
  const customer = new CustomerAccount(env.sandbox.endpoint, env.sandbox.credentials(CUSTOMER_ACCOUNT_ID));
  const stop = () => void env.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  const context: DemoContext = { env, report, customer, operator: new ApiClient({ url: env.server.url, token: env.server.operatorToken }), tenantId: options.tenant ?? 'acme' };
  try {
    for (const [index, step] of DEMO_STEPS.entries()) {
      if (index > 0) {
        await pauses.pause(step.title);
        report.step(index + 1, DEMO_STEPS.length, step.id, step.title, step.narration);
      }
      try {
        await step.run(context);
      } catch (error) {
        report.emit('failed', { code: (error as { code?: string }).code ?? 'KW_DEMO_FAILED', message: (error as Error).message });
        throw error;
      }
    }
    report.finish();
    const seconds = Number((report.elapsedMs / 1000).toFixed(1));
    report.emit('finished', { ok: true, seconds }, [
      '',
      green(bold(`Done in ${seconds} s.`)) + ' The customer held the key the whole time: one click in their account cut the platform off, one more brought everything back.',
      dim('Next: `npm start` runs Keyward with its console; `keyward --help` lists every command.'),
    ]);
  } finally {
    process.removeListener('SIGINT', stop);
    pauses.close();
    customer.close();
    await env.close();
  }
}
