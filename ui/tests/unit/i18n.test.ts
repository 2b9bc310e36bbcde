import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import en from '../../src/i18n/locales/en.json';
import ru from '../../src/i18n/locales/ru.json';

type Tree = { [k: string]: string | Tree };
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}
// Plural forms differ by language (en: one/other, ru: one/few/many/other):
// compared by their base key.
const baseKeys = (m: Map<string, string>) => new Set([...m.keys()].map((k) => k.replace(PLURAL, '')));
const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const flatEn = flatten(en as Tree);
const flatRu = flatten(ru as Tree);

describe('translations', () => {
  it('every English key has a Russian translation and the reverse', () => {
    const e = baseKeys(flatEn);
    const r = baseKeys(flatRu);
    expect([...e].filter((k) => !r.has(k)), 'missing in ru.json').toEqual([]);
    expect([...r].filter((k) => !e.has(k)), 'missing in en.json').toEqual([]);
  });

  it('no translation is empty', () => {
    for (const [lang, m] of [['en', flatEn], ['ru', flatRu]] as const)
      for (const [k, v] of m) expect(v.trim(), `${lang}: ${k}`).not.toBe('');
  });

  it('Russian plurals have the one, few and many forms', () => {
    const plurals = [...flatEn.keys()].filter((k) => k.endsWith('_other')).map((k) => k.replace(PLURAL, ''));
    for (const base of plurals) for (const f of ['one', 'few', 'many']) expect(flatRu.has(`${base}_${f}`), `${base}_${f}`).toBe(true);
  });

  it('both languages use the same interpolation variables', () => {
    for (const [k, v] of flatEn) {
      const ruValue = flatRu.get(k) ?? flatRu.get(k.replace(PLURAL, '_other'));
      if (ruValue !== undefined) expect(vars(ruValue), k).toEqual(vars(v));
    }
  });

  it('every key used in the source exists in English', () => {
    const src = path.resolve(__dirname, '../../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    const keys = new Set(baseKeys(flatEn));
    const missing: string[] = [];
    for (const f of files) {
      const text = readFileSync(path.join(src, f), 'utf8');
      // t('a.b'), t("a.b"), label: 'nav.x' in nav tables: literal dotted keys only.
      for (const m of text.matchAll(/\bt\(\s*['"]([a-zA-Z]+\.[\w.]+)['"]/g)) if (!keys.has(m[1]!)) missing.push(`${f}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });
});
