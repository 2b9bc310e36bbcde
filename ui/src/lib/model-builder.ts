import type { components } from '@/api/schema';
import type { FieldType, Model, ModelField } from './model-form';

// The model builder's state (what the inputs hold) and its conversion to the
// ModelCreate / ModelUpdate body. Options only go out for the types they apply
// to (the server refuses the others: `fields.2.min: not an option of type bool`).

export type ModelInput = components['schemas']['ModelCreate'];

export interface BuilderField {
  uid: string; // a stable React key
  origKey: string | null; // the key on the server (null: a new field); a different key is a rename (old_key)
  key: string;
  type: FieldType;
  required: boolean;
  nullable: boolean;
  unique: boolean;
  indexed: boolean;
  multiple: boolean;
  defaultText: string; // typed as the field on save; '' = no default
  min: string;
  max: string;
  minLength: string;
  maxLength: string;
  pattern: string;
  valuesText: string; // select: one value per line
  model: string; // ref: the target model's name
  onDelete: 'restrict' | 'set_null' | 'cascade';
}

export interface BuilderState {
  name: string;
  description: string;
  fields: BuilderField[];
  indexes: { fields: string[]; unique: boolean }[];
  table: { columns: string[]; filters: string[]; sortColumns: string[]; defaultSort: string };
  form: { order: string[]; hidden: string[]; views: Record<string, string> };
}

let uidCounter = 0;
export const newUid = () => `f${++uidCounter}`;

export function emptyField(): BuilderField {
  return {
    uid: newUid(), origKey: null, key: '', type: 'string', required: false, nullable: true, unique: false, indexed: false,
    multiple: false, defaultText: '', min: '', max: '', minLength: '', maxLength: '', pattern: '', valuesText: '', model: '',
    onDelete: 'restrict',
  };
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function defaultToText(f: ModelField): string {
  if (f.default === undefined || f.default === null) return '';
  if (typeof f.default === 'object') return JSON.stringify(f.default);
  return String(f.default);
}

export function builderFromModel(m?: Model): BuilderState {
  if (!m)
    return {
      name: '', description: '', fields: [{ ...emptyField(), key: 'title', required: true }], indexes: [],
      table: { columns: [], filters: [], sortColumns: [], defaultSort: '' },
      form: { order: [], hidden: [], views: {} },
    };
  return {
    name: m.name,
    description: m.description,
    fields: m.fields.map((f) => ({
      uid: newUid(), origKey: f.key, key: f.key, type: f.type === 'number' ? 'float' : f.type,
      required: !!f.required, nullable: f.nullable !== false, unique: !!f.unique, indexed: !!f.indexed, multiple: !!f.multiple,
      defaultText: defaultToText(f), min: str(f.min), max: str(f.max), minLength: str(f.min_length), maxLength: str(f.max_length),
      pattern: str(f.pattern), valuesText: (f.values ?? []).join('\n'), model: str(f.model), onDelete: f.on_delete ?? 'restrict',
    })),
    indexes: m.indexes.map((i) => ({ fields: [...i.fields], unique: !!i.unique })),
    table: {
      columns: m.table_config.columns ?? [], filters: m.table_config.filters ?? [],
      sortColumns: m.table_config.sort_columns ?? [], defaultSort: m.table_config.default_sort ?? '',
    },
    form: { order: m.form_config.field_order ?? [], hidden: m.form_config.hidden_fields ?? [], views: m.form_config.field_views ?? {} },
  };
}

const STRINGY: FieldType[] = ['string', 'text', 'email', 'url'];
const NUMERIC: FieldType[] = ['integer', 'float', 'number'];

export const applies = {
  unique: (t: FieldType, multiple: boolean) => t !== 'document' && !multiple,
  indexed: (t: FieldType) => t !== 'document',
  multiple: (t: FieldType) => t === 'select' || t === 'ref',
  bounds: (t: FieldType) => NUMERIC.includes(t),
  lengths: (t: FieldType) => STRINGY.includes(t),
};

/** The default text typed as the field: `{ok, value}` or a problem key. */
export function parseDefault(f: BuilderField): { ok: true; value: unknown } | { ok: false } {
  const s = f.defaultText.trim();
  if (NUMERIC.includes(f.type)) {
    const n = Number(s);
    if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n))) return { ok: false };
    return { ok: true, value: n };
  }
  if (f.type === 'bool') {
    if (s !== 'true' && s !== 'false') return { ok: false };
    return { ok: true, value: s === 'true' };
  }
  if (f.type === 'document' || (f.multiple && applies.multiple(f.type))) {
    try {
      return { ok: true, value: JSON.parse(s) };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: f.defaultText };
}

const KEY_RE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const RESERVED = new Set(['id', 'created', 'updated', 'expand']);

/** Problems found before sending, by path like the server's (`name`, `fields.2.key`); values are translation keys. */
export function validateBuilder(s: BuilderState): Record<string, string> {
  const out: Record<string, string> = {};
  if (!KEY_RE.test(s.name)) out['name'] = 'data.builder.badName';
  else if (s.name === 'collection' || s.name === 'transaction') out['name'] = 'data.builder.reservedName';
  const seen = new Set<string>();
  s.fields.forEach((f, i) => {
    if (!KEY_RE.test(f.key)) out[`fields.${i}.key`] = 'data.builder.badKey';
    else if (RESERVED.has(f.key)) out[`fields.${i}.key`] = 'data.builder.reservedKey';
    else if (seen.has(f.key)) out[`fields.${i}.key`] = 'data.builder.duplicateKey';
    seen.add(f.key);
    if (f.type === 'select' && f.valuesText.split('\n').every((v) => !v.trim())) out[`fields.${i}.values`] = 'data.builder.needValues';
    if (f.type === 'ref' && !f.model) out[`fields.${i}.model`] = 'data.builder.needModel';
    if (f.defaultText.trim() !== '' && !parseDefault(f).ok) out[`fields.${i}.default`] = 'data.builder.badDefault';
  });
  s.indexes.forEach((ix, j) => {
    if (ix.fields.length === 0) out[`indexes.${j}`] = 'data.builder.indexNeedsFields';
  });
  return out;
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

export function fieldToApi(f: BuilderField, { update }: { update: boolean }): ModelField {
  const out: ModelField = { key: f.key, type: f.type, required: f.required, nullable: f.nullable };
  if (applies.unique(f.type, f.multiple)) out.unique = f.unique;
  if (applies.indexed(f.type)) out.indexed = f.indexed;
  if (applies.multiple(f.type)) out.multiple = f.multiple;
  if (applies.bounds(f.type)) {
    if (num(f.min) !== undefined) out.min = num(f.min);
    if (num(f.max) !== undefined) out.max = num(f.max);
  }
  if (applies.lengths(f.type)) {
    if (num(f.minLength) !== undefined) out.min_length = num(f.minLength);
    if (num(f.maxLength) !== undefined) out.max_length = num(f.maxLength);
    if (f.pattern) out.pattern = f.pattern;
  }
  if (f.type === 'select') out.values = f.valuesText.split('\n').map((v) => v.trim()).filter(Boolean);
  if (f.type === 'ref') {
    out.model = f.model;
    out.on_delete = f.onDelete;
  }
  if (f.defaultText.trim() !== '') {
    const d = parseDefault(f);
    if (d.ok) out.default = d.value;
  }
  if (update && f.origKey && f.origKey !== f.key) out.old_key = f.origKey;
  return out;
}

/** The body of POST (create) or PUT (update) .../models. View settings name only fields that still exist. */
export function builderToApi(s: BuilderState, { update }: { update: boolean }): ModelInput {
  // A renamed field keeps its place in the view settings under its new key.
  const renamed = new Map(s.fields.filter((f) => f.origKey && f.origKey !== f.key).map((f) => [f.origKey!, f.key]));
  const keys = new Set(s.fields.map((f) => f.key));
  const system = new Set(['id', 'created', 'updated']);
  const fix = (list: string[], allowSystem = false) =>
    list.map((k) => renamed.get(k) ?? k).filter((k) => keys.has(k) || (allowSystem && system.has(k)));
  const sortKey = s.table.defaultSort.replace(/^-/, '');
  const defaultSort = s.table.defaultSort && (keys.has(renamed.get(sortKey) ?? sortKey) || system.has(sortKey))
    ? (s.table.defaultSort.startsWith('-') ? '-' : '') + (renamed.get(sortKey) ?? sortKey)
    : '';
  const views: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.form.views)) {
    const nk = renamed.get(k) ?? k;
    if (keys.has(nk) && v) views[nk] = v;
  }
  const table: NonNullable<ModelInput['table_config']> = {
    columns: fix(s.table.columns, true),
    filters: fix(s.table.filters),
    sort_columns: fix(s.table.sortColumns, true),
  };
  if (defaultSort) table.default_sort = defaultSort;
  return {
    name: s.name,
    description: s.description,
    fields: s.fields.map((f) => fieldToApi(f, { update })),
    indexes: s.indexes.map((i) => ({ fields: fix(i.fields), unique: i.unique })).filter((i) => i.fields.length > 0),
    table_config: table,
    form_config: { field_order: fix(s.form.order), hidden_fields: fix(s.form.hidden), field_views: views },
  };
}
