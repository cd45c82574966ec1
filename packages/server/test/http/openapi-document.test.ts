import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, renderOpenApi } from '../../../../scripts/write-openapi.js';

describe('docs/openapi.json', () => {
  it('is the document the server serves: regenerate it with `npm run docs:openapi` after changing a route', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });
});
