import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxError } from '../sandbox-errors.js';
import type { SandboxData } from './types.js';

/**
 * Persists the sandbox's state as one JSON file in the data directory. Writes go to a
 * temporary file first and are renamed into place, so a crash never leaves half a state.
 * The file holds sandbox key material and secrets, hence mode 0600.
 */
const FILE_NAME = 'sandbox-state.json';

/** `KW_SANDBOX_STATE`: the state file cannot be read, restored or written; the message names it. */
export class SandboxStateError extends SandboxError {
  declare readonly code: 'KW_SANDBOX_STATE';
  override readonly name = 'SandboxStateError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('KW_SANDBOX_STATE', { message, cause: options.cause });
  }
}

export function statePath(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}

export function loadState(dataDir: string): SandboxData | undefined {
  const path = statePath(dataDir);
  if (!existsSync(path)) return undefined;
  let parsed: SandboxData;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as SandboxData;
  } catch (error) {
    throw new SandboxStateError(
      `${path} cannot be read as sandbox state (${(error as Error).message}); move it away to start again from the seed`,
      { cause: error },
    );
  }
  /* Precondition: only a state file this version wrote is restored. */
  if (parsed?.version !== 1)
    throw new SandboxStateError(`${path}: unsupported sandbox state version ${String(parsed?.version)}`);
  if (typeof parsed.blobKey !== 'string' || Buffer.from(parsed.blobKey, 'base64').length !== 32)
    throw new SandboxStateError(`${path}: the blob key is missing or damaged`);
  return parsed;
}

export function saveState(dataDir: string, data: SandboxData): void {
  const path = statePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, JSON.stringify(data), { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    /* A data directory that cannot be written is the user's to fix (permissions, disk space): say which. */
    throw new SandboxStateError(`${path} cannot be written (${(error as Error).message})`, { cause: error });
  }
}
