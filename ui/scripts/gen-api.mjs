// Generates src/api/schema.d.ts (openapi-typescript) from the OpenAPI document.
//
//   npm run gen:api                          reads the committed copy, ../src/http/openapi/openapi.json
//   npm run gen:api -- --url http://127.0.0.1:3000   fetches /api/openapi.json from a running m3m
//
// The committed copy is the source of truth: CMake embeds that very file into
// the binary, which serves it unchanged at /api/openapi.json. So the build needs
// no running server, and tests/unit/api_coverage.test.ts fails when
// schema.d.ts is stale or when the UI calls an operation the document lacks.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemaTypes, OPENAPI_PATH } from './api-schema.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../src/api/schema.d.ts');

const urlArg = process.argv.indexOf('--url');
let doc;
if (urlArg !== -1) {
  const base = process.argv[urlArg + 1];
  if (!base) throw new Error('--url needs the server address, e.g. http://127.0.0.1:3000');
  const res = await fetch(new URL('/api/openapi.json', base));
  if (!res.ok) throw new Error(`GET /api/openapi.json: ${res.status}`);
  doc = await res.text();
} else {
  doc = await readFile(OPENAPI_PATH, 'utf8');
}
await writeFile(out, await generateSchemaTypes(doc));
console.log(`wrote ${path.relative(process.cwd(), out)}`);
