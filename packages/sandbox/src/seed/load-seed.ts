import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SeedError } from './build-state.js';
import type { SeedInput } from './seed-schema.js';

/** Reads a seed file: JSON (`.json`) or YAML (anything else; YAML is a superset of JSON). */
export function loadSeedFile(path: string): SeedInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SeedError(`Cannot read seed file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as SeedInput;
  } catch (error) {
    throw new SeedError(
      `Seed file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
