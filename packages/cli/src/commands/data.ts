import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ApiClient, ApiError } from '../api-client.js';
import { connectionOf, UsageError, withConnection, type ServerOptions } from '../connection.js';
import { printJson } from '../output.js';

interface Options extends ServerOptions {
  in?: string;
  out?: string;
  context: string[];
  lines?: boolean;
}

/** The server's batch limit: longer inputs go in several requests. */
const BATCH = 1000;

async function input(path: string | undefined): Promise<Buffer> {
  if (path === undefined || path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
}

async function output(path: string | undefined, data: Buffer | string): Promise<void> {
  if (path === undefined || path === '-') {
    process.stdout.write(data);
    return;
  }
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new UsageError(
      `Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
}

function contextOf(pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--context takes key=value, not "${pair}".`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}

const lineItems = (data: Buffer) =>
  data
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');

/** Sends items in batches; any item that failed stops the command with its code (nothing is written). */
async function batches<T>(
  api: ApiClient,
  path: string,
  items: T[],
  extra: Record<string, unknown> = {},
): Promise<Array<Record<string, string>>> {
  const results: Array<Record<string, string>> = [];
  for (let start = 0; start < items.length; start += BATCH) {
    const { results: page } = await api.call('POST', path, {
      ...extra,
      items: items.slice(start, start + BATCH),
    });
    for (const [index, result] of (
      page as Array<{ ok: boolean; error?: { code: string; message: string } } & Record<string, string>>
    ).entries()) {
      if (!result.ok)
        throw new ApiError(result.error!.code, `item ${start + index + 1}: ${result.error!.message}`, 0);
      results.push(result);
    }
  }
  return results;
}

function dataCommand(name: string, description: string, example: string): Command {
  return withConnection(new Command(name))
    .description(description)
    .argument('<tenant>', 'tenant ID')
    .option('--in <file>', 'read from this file (default: standard input)')
    .option('--out <file>', 'write to this file (default: standard output)')
    .option(
      '--context <key=value>',
      'encryption context entry (repeat for several)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--lines', 'one item per line (text or JSON Lines), sent in batches of 1,000')
    .addHelpText('after', `\nUse a service token (or the operator's).\n\nExample:\n  ${example}`);
}

export function dataCommands(): Command[] {
  const encrypt = dataCommand(
    'encrypt',
    "Encrypt the input (or each line) under the tenant's key; writes kw1: ciphertexts",
    'keyward encrypt acme --context table=invoices < invoice.pdf > invoice.kw1',
  ).action(async (tenant: string, options: Options) => {
    const data = await input(options.in);
    const context = contextOf(options.context);
    const items = (
      options.lines
        ? lineItems(data).map((line) => ({ text: line }))
        : [{ plaintext: data.toString('base64') }]
    ).map((item) => (context === undefined ? item : { ...item, context }));
    const results = await batches(
      new ApiClient(connectionOf(options)),
      `/v1/tenants/${encodeURIComponent(tenant)}/encrypt`,
      items,
    );
    if (options.json) return printJson(results.map((result) => result.ciphertext));
    await output(options.out, `${results.map((result) => result.ciphertext).join('\n')}\n`);
  });
  const decrypt = dataCommand(
    'decrypt',
    'Decrypt kw1: ciphertexts (the whole input is one, or one per line with --lines)',
    'keyward decrypt acme --context table=invoices < invoice.kw1 > invoice.pdf',
  ).action(async (tenant: string, options: Options) => {
    const data = await input(options.in);
    const context = contextOf(options.context);
    const texts = options.lines ? lineItems(data) : [data.toString('utf8').trim()];
    const items = texts.map((ciphertext) =>
      context === undefined ? { ciphertext } : { ciphertext, context },
    );
    const results = await batches(
      new ApiClient(connectionOf(options)),
      `/v1/tenants/${encodeURIComponent(tenant)}/decrypt`,
      items,
      options.lines ? { encoding: 'utf8' } : {},
    );
    if (options.json) return printJson(results.map((result) => result.text ?? result.plaintext));
    await output(
      options.out,
      options.lines
        ? `${results.map((result) => result.text).join('\n')}\n`
        : Buffer.from(results[0]!.plaintext!, 'base64'),
    );
  });
  const rewrap = dataCommand(
    'rewrap',
    'Re-encrypt ciphertexts under the latest key version, without revealing the plaintext',
    'keyward rewrap acme --lines --in old.txt --out new.txt',
  ).action(async (tenant: string, options: Options) => {
    const data = await input(options.in);
    const context = contextOf(options.context);
    const texts = options.lines ? lineItems(data) : [data.toString('utf8').trim()];
    const results = await batches(
      new ApiClient(connectionOf(options)),
      `/v1/tenants/${encodeURIComponent(tenant)}/rewrap`,
      texts.map((ciphertext) => (context === undefined ? { ciphertext } : { ciphertext, context })),
    );
    if (options.json) return printJson(results.map((result) => result.ciphertext));
    await output(options.out, `${results.map((result) => result.ciphertext).join('\n')}\n`);
  });
  return [encrypt, decrypt, rewrap];
}
