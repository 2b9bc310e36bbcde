import { describe, expect, it } from 'vitest';
import { ApiError, toApiError, unwrap } from '../../src/api/errors';
import { readAppConfig } from '../../src/config';
import { PROJECT_COLOR_NAMES } from '../../src/lib/colors';
import { projectCreateSchema, slugFromName } from '../../src/lib/project-schema';
import { readFileSync } from 'node:fs';
import path from 'node:path';

describe('project form', () => {
  it('accepts a valid project and trims it', () => {
    const r = projectCreateSchema.safeParse({ name: '  Shop  ', slug: 'shop-1', color: 'blue' });
    expect(r.success).toBe(true);
    expect(r.data).toEqual({ name: 'Shop', slug: 'shop-1', color: 'blue' });
  });

  it('refuses an empty name, a bad slug and an unknown colour with translatable keys', () => {
    const r = projectCreateSchema.safeParse({ name: ' ', slug: 'A_b', color: 'gold' });
    expect(r.success).toBe(false);
    const byField = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(byField.name).toBe('validation.required');
    expect(byField.slug).toBe('validation.slugChars');
    expect(byField.color).toBeTruthy();
    expect(projectCreateSchema.safeParse({ name: 'x', slug: 'a', color: null }).error!.issues[0]!.message).toBe('validation.slugLength');
    expect(projectCreateSchema.safeParse({ name: 'x', slug: 'a'.repeat(49), color: null }).success).toBe(false);
  });

  it('suggests a slug the server accepts', () => {
    expect(slugFromName('My Shop!')).toBe('my-shop');
    expect(slugFromName('Café  déjà-vu')).toBe('cafe-deja-vu');
    expect(slugFromName('x'.repeat(60))).toHaveLength(48);
    expect(slugFromName('--a--')).toBe('a');
  });

  it('knows exactly the colours of the OpenAPI document', () => {
    const doc = JSON.parse(readFileSync(path.resolve(__dirname, '../../../src/http/openapi/openapi.json'), 'utf8'));
    const colors = doc.components.schemas.ProjectColor.enum.filter((c: unknown) => c !== null);
    expect([...PROJECT_COLOR_NAMES].sort()).toEqual([...colors].sort());
  });
});

describe('API errors', () => {
  it('reads the server error envelope', () => {
    const e = toApiError(400, { error: { code: 'INVALID_ARGUMENT', message: 'bad slug', fields: { slug: 'taken' } } });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.fields]).toEqual([400, 'INVALID_ARGUMENT', 'bad slug', { slug: 'taken' }]);
  });

  it('turns any other body into an INTERNAL error with the status', () => {
    expect(toApiError(502, undefined).message).toBe('HTTP 502');
    expect(toApiError(500, 'oops').message).toBe('oops');
  });

  it('unwrap returns data on success and throws on an error answer', () => {
    expect(unwrap({ data: 1, response: new Response(null, { status: 200 }) })).toBe(1);
    expect(() =>
      unwrap({ error: { error: { code: 'NOT_FOUND', message: 'no', fields: {} } }, response: new Response(null, { status: 404 }) }),
    ).toThrow(ApiError);
  });
});

describe('__APP_CONFIG__', () => {
  it('reads apiURL and version, with defaults for anything missing or wrong', () => {
    expect(readAppConfig({ apiURL: 'https://x.example/', version: '1.2.3' })).toEqual({ apiURL: 'https://x.example', version: '1.2.3' });
    expect(readAppConfig(undefined)).toEqual({ apiURL: '', version: 'dev' });
    expect(readAppConfig({ apiURL: 5 })).toEqual({ apiURL: '', version: 'dev' });
  });
});
