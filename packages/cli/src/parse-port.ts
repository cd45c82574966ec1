import { InvalidArgumentError } from 'commander';

/** `--port`: 0 to 65535 (0 picks any free port). */
export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return Number(value);
}
