import { writeFileSync } from 'node:fs';
import { openApiDocument, ROUTES } from '@keyward/server';

/**
 * `npm run docs:openapi`: writes docs/openapi.json, the API's OpenAPI document as the server
 * serves it at /openapi.json. A test fails when the committed file differs from the routes.
 */
export const OPENAPI_PATH = new URL('../docs/openapi.json', import.meta.url);

export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(ROUTES), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`wrote ${OPENAPI_PATH.pathname}`);
}
