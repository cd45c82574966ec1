import { createInterface } from 'node:readline';
import { checkTenantId } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { ApiClient } from '../api-client.js';
import { bold, dim, green } from '../output.js';
import { CustomerAccount } from './customer-account.js';
import { DemoError } from './demo-error.js';
import { startDemoEnvironment, type DemoEnvironment } from './demo-environment.js';
import { DemoReporter } from './demo-reporter.js';
import { DEMO_STEPS, type DemoContext } from './demo-steps.js';

export interface DemoOptions {
  json?: boolean;
  step?: boolean;
  tenant?: string;
}

/**
 * Waits for Enter between steps. The prompt goes to stderr so that --json output stays clean.
 * Lines are counted as they arrive, so piped input works too; once stdin closes, the demo stops pausing.
 */
function pauser(enabled: boolean) {
  if (!enabled) return { pause: async () => undefined, close: () => undefined };
  const lines = createInterface({ input: process.stdin });
  let available = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  lines.on('line', () => {
    available += 1;
    wake?.();
  });
  lines.on('close', () => {
    closed = true;
    wake?.();
  });
  return {
    async pause(next: string) {
      process.stderr.write(`\n  Press Enter for: ${next} `);
      while (available === 0 && !closed)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      wake = undefined;
      if (available > 0) available -= 1;
      else process.stderr.write('\n');
    },
    close: () => lines.close(),
  };
}

/** Ctrl-C or SIGTERM: a rejection to race every await against, and the exit code to end with. */
function signals() {
  let fire: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    fire = (signal) => reject(Object.assign(new Error(signal), { signal }));
  });
  stopped.catch(() => undefined);
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, () => fire(signal)] as const);
  for (const [signal, handler] of handlers) process.once(signal, handler);
  return {
    race: <T>(work: Promise<T>) => Promise.race([work, stopped]),
    remove: () => {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    },
  };
}

const isSignal = (error: unknown): error is Error & { signal: NodeJS.Signals } =>
  typeof (error as { signal?: unknown })?.signal === 'string';

/**
 * The customer journey end to end on a throwaway Keyward and sandbox. Everything it starts is
 * stopped and its temporary directory removed, whether it finishes, a step fails, or Ctrl-C or
 * SIGTERM arrives (then the exit code is 130 or 143, with a `stopped` event and no error).
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  checkTenantId(options.tenant ?? 'acme');
  const report = new DemoReporter(options.json === true);
  const stop = signals();
  if (!options.json)
    process.stdout.write(`${bold('Keyward demo')}: a customer brings their own key, then takes it away.\n`);
  const [first] = DEMO_STEPS;
  // Starting takes a few seconds (migrations, key set-up): say so before it happens.
  report.step(1, DEMO_STEPS.length, first!.id, first!.title, first!.narration);
  const starting = startDemoEnvironment();
  starting.catch(() => undefined);
  let customer: CustomerAccount | undefined;
  const pauses = pauser(options.step === true);
  try {
    const env: DemoEnvironment = await stop.race(starting);
    customer = new CustomerAccount(env.sandbox.endpoint, env.sandbox.credentials(CUSTOMER_ACCOUNT_ID));
    const context: DemoContext = {
      env,
      report,
      customer,
      operator: new ApiClient({ url: env.server.url, token: env.server.operatorToken }),
      tenantId: options.tenant ?? 'acme',
    };
    for (const [index, step] of DEMO_STEPS.entries()) {
      if (index > 0) {
        await stop.race(pauses.pause(step.title));
        report.step(index + 1, DEMO_STEPS.length, step.id, step.title, step.narration);
      }
      await stop.race(step.run(context));
    }
    report.finish();
    const seconds = Number((report.elapsedMs / 1000).toFixed(1));
    report.emit('finished', { ok: true, seconds }, [
      '',
      green(bold(`Done in ${seconds} s.`)) +
        ' The customer held the key the whole time: one click in their account cut the platform off, one more brought everything back.',
      dim('Next: `npm start` runs Keyward with its console; `keyward --help` lists every command.'),
    ]);
  } catch (error) {
    if (isSignal(error)) {
      report.emit('stopped', { signal: error.signal }, ['', dim(`Stopped (${error.signal}); cleaning up.`)]);
      process.exitCode = error.signal === 'SIGINT' ? 130 : 143;
      return;
    }
    const failure =
      error instanceof DemoError || typeof (error as { code?: unknown }).code === 'string'
        ? (error as Error & { code: string })
        : new DemoError((error as Error).message);
    report.emit('failed', { code: failure.code, message: failure.message });
    throw failure;
  } finally {
    pauses.close();
    customer?.close();
    // Startup cannot be interrupted half-way: wait for it, then stop what it started and remove its directory.
    await (await starting.catch(() => undefined))?.close();
    stop.remove();
  }
}
