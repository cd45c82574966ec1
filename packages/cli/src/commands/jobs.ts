import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { connectionOf, UsageError, withConnection, type ServerOptions } from '../connection.js';
import { dim, green, printJson, printLines, red } from '../output.js';

type Options = ServerOptions;
interface Job {
  id: string;
  kind: string;
  tenantId: string | null;
  state: string;
  done: number;
  total: number;
  error: { code: string; message: string } | null;
  createdAt: string;
}

const OPEN = new Set(['queued', 'running']);

function bar(job: Job): string {
  const width = 30;
  const filled = job.total === 0 ? 0 : Math.round((job.done / job.total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${job.done}/${job.total}`;
}

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description(
    'Background jobs: enable, switch CMK, revert, platform key rotation (operator)',
  );
  jobs.addCommand(
    withConnection(new Command('list'))
      .description('Jobs, newest first')
      .option('--tenant <id>', "one tenant's jobs")
      .option('--state <state>', 'queued, running, succeeded, failed or cancelled')
      .addHelpText('after', '\nExample:\n  keyward jobs list --state running')
      .action(async (options: Options & { tenant?: string; state?: string }) => {
        const query = new URLSearchParams({
          ...(options.tenant === undefined ? {} : { tenantId: options.tenant }),
          ...(options.state === undefined ? {} : { state: options.state }),
        });
        const { jobs: list } = (await new ApiClient(connectionOf(options)).call(
          'GET',
          `/v1/jobs?${query}`,
        )) as { jobs: Job[] };
        if (options.json) return printJson(list);
        printLines(
          list.length === 0
            ? ['No jobs.']
            : list.map(
                (job) =>
                  `${job.id}  ${job.kind.padEnd(22)} ${(job.tenantId ?? '-').padEnd(16)} ${job.state.padEnd(10)} ${job.done}/${job.total}`,
              ),
        );
      }),
  );
  jobs.addCommand(
    withConnection(new Command('watch'))
      .description('Follow a job until it ends, with a progress bar; exit 1 if it fails')
      .argument('<job>', 'job ID')
      .option('--interval <ms>', 'how often to look', '1000')
      .addHelpText('after', '\nExample:\n  keyward jobs watch job_0b6c3c52-3a57-4a8e-9d55-3b1f4a0c2f11')
      .action(async (id: string, options: Options & { interval: string }) => {
        const interval = Number(options.interval);
        if (!Number.isInteger(interval) || interval < 50)
          throw new UsageError('--interval must be a whole number of milliseconds, at least 50.');
        const api = new ApiClient(connectionOf(options));
        let job = (await api.call('GET', `/v1/jobs/${encodeURIComponent(id)}`)) as Job;
        while (OPEN.has(job.state)) {
          if (process.stdout.isTTY && !options.json)
            process.stdout.write(`\r${job.kind} ${job.state} ${bar(job)}`);
          await new Promise((resolve) => setTimeout(resolve, interval));
          job = (await api.call('GET', `/v1/jobs/${encodeURIComponent(id)}`)) as Job;
        }
        if (process.stdout.isTTY && !options.json) process.stdout.write('\n');
        if (options.json) printJson(job);
        else
          printLines([
            `${job.kind} ${job.state === 'succeeded' ? green(job.state) : red(job.state)} ${bar(job)}${job.error === null ? '' : ` ${job.error.code}: ${job.error.message}`}`,
            dim(job.id),
          ]);
        if (job.state !== 'succeeded') process.exitCode = 1;
      }),
  );
  return jobs;
}
