import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
// @ts-expect-error: a plain .mjs helper shared with scripts/gen-api.mjs
import { generateSchemaTypes, OPENAPI_PATH } from '../../scripts/api-schema.mjs';

const src = path.resolve(__dirname, '../../src');
const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> };

function sources() {
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('schema.d.ts'))
    .map((f) => ({ file: f, text: readFileSync(path.join(src, f), 'utf8') }));
}

// A concrete path (/api/projects/abc/status) against the document's templates (/api/projects/{id}/status).
function matchesTemplate(p: string) {
  return Object.keys(doc.paths).some((tpl) => {
    const re = new RegExp('^' + tpl.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '/?$');
    return re.test(p);
  });
}

describe('the UI calls only what the OpenAPI document has', () => {
  it('src/api/schema.d.ts is generated from the current document (npm run gen:api)', async () => {
    const fresh = await generateSchemaTypes(readFileSync(OPENAPI_PATH, 'utf8'));
    const committed = readFileSync(path.join(src, 'api/schema.d.ts'), 'utf8');
    expect(committed === fresh, 'schema.d.ts is stale: run `npm run gen:api` in ui/').toBe(true);
  });

  it('every typed client call names an operation of the document', () => {
    const calls: string[] = [];
    const missing: string[] = [];
    for (const { file, text } of sources())
      for (const m of text.matchAll(/\bapi\.(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\(\s*['"`]([^'"`]+)['"`]/g)) {
        const [, method, p] = m as unknown as [string, string, string];
        calls.push(`${method} ${p}`);
        if (!doc.paths[p]?.[method.toLowerCase()]) missing.push(`${file}: ${method} ${p}`);
      }
    expect(calls.length).toBeGreaterThan(0); // the scan itself works
    expect(missing).toEqual([]);
  });

  it('every literal /api/… path in the source exists in the document', () => {
    const missing: string[] = [];
    for (const { file, text } of sources())
      for (const m of text.matchAll(/['"`](?:\$\{[^}]+\})?(\/api\/[^'"`?\s]*)/g)) {
        const p = m[1]!.replace(/\$\{[^}]+\}/g, 'x');
        // A prefix test (startsWith('/api/auth/')) must be the prefix of some path.
        const isPrefix = p.endsWith('/') && Object.keys(doc.paths).some((d) => d.startsWith(p));
        if (!doc.paths[p] && !matchesTemplate(p) && !isPrefix) missing.push(`${file}: ${p}`);
      }
    expect(missing).toEqual([]);
  });

  it('the checks catch an operation the document lacks', () => {
    expect(doc.paths['/api/projects']?.['get']).toBeTruthy();
    expect(doc.paths['/api/projects']?.['patch']).toBeUndefined();
    expect(matchesTemplate('/api/projects/abc/status')).toBe(true);
    expect(matchesTemplate('/api/projects/abc/no-such-thing')).toBe(false);
  });
});
