import type { components } from '@/api/schema';

export type EnvType = components['schemas']['EnvType'];
export const ENV_TYPES: EnvType[] = ['string', 'text', 'json', 'integer', 'float', 'boolean'];
export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
// What the API shows instead of a secret value.
export const SECRET_MASK = '********';

// A problem with what was typed: an i18n key (admin.env.errors.*) and, for JSON,
// the parser's own message (it names the position).
export interface EnvInputError {
  key: 'keyRequired' | 'keyChars' | 'keyTooLong' | 'valueRequired' | 'oneLine' | 'integer' | 'float' | 'json';
  detail?: string;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: EnvInputError };

export function validateEnvKey(key: string): EnvInputError | null {
  if (!key) return { key: 'keyRequired' };
  if (key.length > 128) return { key: 'keyTooLong' };
  if (!ENV_KEY_PATTERN.test(key)) return { key: 'keyChars' };
  return null;
}

// The editor's raw text (a boolean is its checkbox) → the typed value to send.
export function parseEnvValue(type: EnvType, raw: string | boolean): Parsed {
  if (type === 'boolean') return { ok: true, value: raw === true || raw === 'true' };
  const text = String(raw);
  switch (type) {
    case 'string':
      return /[\r\n]/.test(text) ? { ok: false, error: { key: 'oneLine' } } : { ok: true, value: text };
    case 'text':
      return { ok: true, value: text };
    case 'integer': {
      const s = text.trim();
      if (!/^-?\d+$/.test(s)) return { ok: false, error: { key: 'integer' } };
      const n = Number(s);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, error: { key: 'integer' } };
    }
    case 'float': {
      const s = text.trim();
      const n = Number(s);
      return s !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: { key: 'float' } };
    }
    case 'json': {
      if (!text.trim()) return { ok: false, error: { key: 'valueRequired' } };
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (e) {
        return { ok: false, error: { key: 'json', detail: e instanceof Error ? e.message : String(e) } };
      }
    }
  }
}

// A stored value → the editor's raw text (JSON pretty-printed).
export function envValueToInput(type: EnvType, value: unknown): string | boolean {
  if (type === 'boolean') return value === true;
  if (type === 'json') return JSON.stringify(value, null, 2) ?? '';
  if (value === null || value === undefined) return '';
  return String(value);
}

// One line for the table.
export function envValuePreview(type: EnvType, value: unknown, secret: boolean): string {
  if (secret) return '••••••••';
  if (type === 'json') return JSON.stringify(value);
  return String(value);
}
