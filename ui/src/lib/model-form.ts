import type { components } from '@/api/schema';

// The record form of a model: which fields it shows, in which order, with which
// widget (form_config), how a record's values become the form's state and how
// the form's state becomes the typed JSON body the server accepts (it does no
// implicit conversion: "5" for an integer is a 400).

export type Model = components['schemas']['Model'];
export type ModelField = components['schemas']['ModelField'];
export type FieldType = ModelField['type'];
export type RecordData = { id: string; created: string; updated: string; expand?: Record<string, unknown>; [key: string]: unknown };

export const FIELD_TYPES: FieldType[] = [
  'string', 'text', 'integer', 'float', 'bool', 'date', 'datetime', 'email', 'url', 'select', 'ref', 'document', 'file',
];

// The widgets each type can use; the first is the default. A widget name in
// form_config.field_views that does not fit the type falls back to the default.
export const WIDGETS: Record<FieldType, string[]> = {
  string: ['input', 'textarea', 'richtext'],
  text: ['textarea', 'richtext', 'input'],
  integer: ['number'],
  float: ['number'],
  number: ['number'],
  bool: ['switch', 'checkbox'],
  document: ['json'],
  file: ['input'],
  ref: ['picker'],
  date: ['date'],
  datetime: ['datetime'],
  email: ['email'],
  url: ['url'],
  select: ['select', 'radio'],
};

export function widgetFor(field: ModelField, views?: Record<string, string>): string {
  const options = WIDGETS[field.type];
  const v = views?.[field.key];
  return v && options.includes(v) ? v : options[0]!;
}

export interface FormFieldSpec {
  field: ModelField;
  widget: string;
}

/** The form's fields: form_config.field_order first, then the rest in model order; hidden fields left out. */
export function formFields(model: Pick<Model, 'fields' | 'form_config'>): FormFieldSpec[] {
  const cfg = model.form_config ?? {};
  const hidden = new Set(cfg.hidden_fields ?? []);
  const byKey = new Map(model.fields.map((f) => [f.key, f]));
  const ordered: ModelField[] = [];
  for (const k of cfg.field_order ?? []) {
    const f = byKey.get(k);
    if (f && !ordered.includes(f)) ordered.push(f);
  }
  for (const f of model.fields) if (!ordered.includes(f)) ordered.push(f);
  return ordered.filter((f) => !hidden.has(f.key)).map((field) => ({ field, widget: widgetFor(field, cfg.field_views) }));
}

/** A value of the form: text for inputs, boolean, or a list of strings (multiple select/ref). */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO date-time → the value of <input type="datetime-local"> in the browser's time zone. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function isMulti(f: ModelField): boolean {
  return !!f.multiple && (f.type === 'select' || f.type === 'ref');
}

function toFormValue(f: ModelField, v: unknown): FormValue {
  if (isMulti(f)) return Array.isArray(v) ? v.map(String) : [];
  if (f.type === 'bool') return v === true;
  if (v === null || v === undefined) return '';
  if (f.type === 'document') return JSON.stringify(v, null, 2);
  if (f.type === 'datetime') return isoToLocalInput(String(v));
  return String(v);
}

/** Form state for a new record (defaults) or an existing one. */
export function toFormValues(model: Pick<Model, 'fields'>, record?: Partial<RecordData>): FormValues {
  const out: FormValues = {};
  for (const f of model.fields) out[f.key] = toFormValue(f, record ? record[f.key] : f.default);
  return out;
}

/** A problem with a field: a translation key and its values. */
export interface FieldProblem {
  key: 'required' | 'integer' | 'number' | 'min' | 'max' | 'minLength' | 'maxLength' | 'pattern' | 'json' | 'email' | 'url' | 'date' | 'datetime';
  values?: Record<string, string | number>;
}

function emptyValue(f: ModelField, v: FormValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'boolean') return false;
  return v.trim() === '' && !(f.type === 'string' || f.type === 'text') ? true : v === '';
}

function convert(f: ModelField, raw: FormValue): { value?: unknown; problem?: FieldProblem } {
  if (isMulti(f)) return { value: raw };
  if (f.type === 'bool') return { value: raw === true };
  const s = String(raw);
  const len = [...s].length;
  switch (f.type) {
    case 'integer': {
      const n = Number(s.trim());
      if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n)) return { problem: { key: 'integer' } };
      return bounded(f, n);
    }
    case 'float':
    case 'number': {
      const n = Number(s.trim());
      if (s.trim() === '' || !Number.isFinite(n)) return { problem: { key: 'number' } };
      return bounded(f, n);
    }
    case 'document':
      try {
        return { value: JSON.parse(s) };
      } catch {
        return { problem: { key: 'json' } };
      }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(s) ? { value: s } : { problem: { key: 'date' } };
    case 'datetime': {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? { problem: { key: 'datetime' } } : { value: d.toISOString() };
    }
    default: {
      if (f.min_length !== undefined && len < f.min_length) return { problem: { key: 'minLength', values: { n: f.min_length } } };
      if (f.max_length !== undefined && len > f.max_length) return { problem: { key: 'maxLength', values: { n: f.max_length } } };
      if (f.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) return { problem: { key: 'email' } };
      if (f.type === 'url' && !/^https?:\/\/[^\s/]+/.test(s)) return { problem: { key: 'url' } };
      if (f.pattern) {
        try {
          if (!new RegExp(f.pattern, 'u').test(s)) return { problem: { key: 'pattern', values: { pattern: f.pattern } } };
        } catch {
          /* a pattern JS cannot compile: the server decides */
        }
      }
      return { value: s };
    }
  }
}

function bounded(f: ModelField, n: number): { value?: unknown; problem?: FieldProblem } {
  if (f.min !== undefined && n < f.min) return { problem: { key: 'min', values: { n: f.min } } };
  if (f.max !== undefined && n > f.max) return { problem: { key: 'max', values: { n: f.max } } };
  return { value: n };
}

/**
 * Form state → the record body and the problems found before sending.
 * On create an empty field is left out (the server applies its default); on
 * update only the fields shown are sent, an emptied one as null. Fields not in
 * `shown` (hidden by form_config) are never sent.
 */
export function fromFormValues(
  model: Pick<Model, 'fields'>,
  values: FormValues,
  { create, shown }: { create: boolean; shown?: string[] },
): { body: Record<string, unknown>; problems: Record<string, FieldProblem> } {
  const body: Record<string, unknown> = {};
  const problems: Record<string, FieldProblem> = {};
  const visible = shown ? new Set(shown) : null;
  for (const f of model.fields) {
    if (visible && !visible.has(f.key)) continue;
    const raw = values[f.key] ?? (isMulti(f) ? [] : f.type === 'bool' ? false : '');
    if (emptyValue(f, raw)) {
      if (f.required) problems[f.key] = { key: 'required' };
      else if (!create) body[f.key] = isMulti(f) ? [] : null;
      continue;
    }
    const r = convert(f, raw);
    if (r.problem) problems[f.key] = r.problem;
    else body[f.key] = r.value;
  }
  return { body, problems };
}

/** A short text for a value in a table cell. */
export function cellText(f: ModelField | undefined, v: unknown, dateFmt?: Intl.DateTimeFormat): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  if (f?.type === 'datetime' && dateFmt && typeof v === 'string') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : dateFmt.format(d);
  }
  if (typeof v === 'string' && (f?.type === 'text' || f?.type === 'string') && v.startsWith('<')) return stripHtml(v);
  return String(v);
}

/** Rich-text HTML → plain text for a cell (no DOM needed). */
export function stripHtml(html: string): string {
  return html
    .replace(/<(br|\/p|\/h\d|\/li)\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The field shown as a record's label in ref pickers: the first string-like field. */
export function labelField(model: Pick<Model, 'fields'>): ModelField | undefined {
  return (
    model.fields.find((f) => f.type === 'string' && !f.multiple) ??
    model.fields.find((f) => f.type === 'email' || f.type === 'url' || f.type === 'text')
  );
}

/** The table's columns: table_config.columns, else the first six fields. */
export function tableColumns(model: Pick<Model, 'fields' | 'table_config'>): string[] {
  const keys = new Set(model.fields.map((f) => f.key));
  const cfg = (model.table_config?.columns ?? []).filter((k) => keys.has(k) || k === 'id' || k === 'created' || k === 'updated');
  return cfg.length > 0 ? cfg : model.fields.slice(0, 6).map((f) => f.key);
}

/** The columns one can sort by: table_config.sort_columns, else every field but documents, plus created/updated. */
export function sortableColumns(model: Pick<Model, 'fields' | 'table_config'>): Set<string> {
  const cfg = model.table_config?.sort_columns ?? [];
  if (cfg.length > 0) return new Set(cfg);
  return new Set(['created', 'updated', 'id', ...model.fields.filter((f) => f.type !== 'document' && !isMulti(f)).map((f) => f.key)]);
}

/** Clicking a column header: ascending, then descending, then back to the default. */
export function nextSort(current: string, key: string): string {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return '';
  return key;
}
