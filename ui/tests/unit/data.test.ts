import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { byteOffsetToIndex, findFieldToken, parseFilterError, quoteFilterValue, tokenLength } from '../../src/lib/filter-error';
import { chartRows, GOAL_SLUG_RE, lastDays, slugFromGoalName } from '../../src/lib/goals';
import { builderFromModel, builderToApi, emptyField, validateBuilder } from '../../src/lib/model-builder';
import {
  FIELD_TYPES,
  formFields,
  fromFormValues,
  nextSort,
  sortableColumns,
  stripHtml,
  tableColumns,
  toFormValues,
  WIDGETS,
  widgetFor,
  type Model,
} from '../../src/lib/model-form';

const model = (over: Partial<Model> = {}): Model => ({
  id: 'm1',
  project_id: 'p1',
  name: 'orders',
  description: '',
  fields: [
    { key: 'title', type: 'string', required: true, max_length: 5 },
    { key: 'total', type: 'integer', min: 0 },
    { key: 'price', type: 'float' },
    { key: 'paid', type: 'bool' },
    { key: 'status', type: 'select', values: ['new', 'paid'], default: 'new' },
    { key: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
    { key: 'customer', type: 'ref', model: 'customers' },
    { key: 'meta', type: 'document' },
    { key: 'at', type: 'datetime' },
    { key: 'notes', type: 'text' },
  ],
  indexes: [],
  table_config: {},
  form_config: {},
  created_at: '',
  updated_at: '',
  ...over,
});

describe('filter error positions', () => {
  it('maps the server byte offset to a string index (multi-byte text before it)', () => {
    expect(byteOffsetToIndex('abc', 2)).toBe(2);
    expect(byteOffsetToIndex("title ~ 'Я' && ==", 16)).toBe(15); // Я is 2 bytes
    expect(byteOffsetToIndex("t = '€' && x", 11)).toBe(9); // € is 3 bytes
    expect(byteOffsetToIndex("t = '😀' x", 10)).toBe(8); // 4 bytes, 2 UTF-16 units
    expect(byteOffsetToIndex('ab', 99)).toBe(2); // past the end: the end
  });

  it('reads `position N:` and marks the token there', () => {
    const f = "title ~ 'Я' && ==";
    const e = parseFilterError(f, 'position 16: expected a field or value, found "=="');
    expect(e).toEqual({ message: 'expected a field or value, found "=="', index: 15, length: 2 });
    expect(f.slice(e.index!, e.index! + e.length)).toBe('==');
  });

  it('a position at the end marks nothing (a caret)', () => {
    const e = parseFilterError('total >', 'position 7: expected a value after ">"');
    expect(e.index).toBe(7);
    expect(e.length).toBe(0);
  });

  it('places field errors without a position on the field name, outside quotes', () => {
    const f = "title = 'nope' && nope = 1";
    const e = parseFilterError(f, 'unknown field "nope"');
    expect(e.index).toBe(18);
    expect(f.slice(e.index!, e.index! + e.length)).toBe('nope');
    const g = parseFilterError("total = 'x'", '"total" is a number field: compare it with a number');
    expect([g.index, g.length]).toEqual([0, 5]);
    expect(parseFilterError('a = 1', 'something else').index).toBeNull();
    expect(parseFilterError('a = 1', 'unknown field "zzz"').index).toBeNull();
  });

  it('finds whole words only, document paths included', () => {
    expect(findFieldToken('totals = 1 && total = 2', 'total')).toBe(14);
    expect(findFieldToken("x = 'it\\'s total' && meta.a = 1", 'meta')).toBe(21);
    expect(tokenLength('a && b', 2)).toBe(2);
    expect(tokenLength('a >= 1', 2)).toBe(2);
  });

  it('quotes values for the filter language', () => {
    expect(quoteFilterValue("it's")).toBe("'it\\'s'");
    expect(quoteFilterValue('a\\b')).toBe("'a\\\\b'");
  });
});

describe('the record form from a model', () => {
  it('has a widget list for every type of the OpenAPI document', () => {
    const doc = JSON.parse(readFileSync(path.resolve(__dirname, '../../../src/http/openapi/openapi.json'), 'utf8'));
    const types: string[] = doc.components.schemas.ModelField.properties.type.enum;
    expect(Object.keys(WIDGETS).sort()).toEqual([...types].sort());
    for (const t of FIELD_TYPES) expect(types).toContain(t);
  });

  it('orders fields by form_config, hides hidden ones, uses valid widgets only', () => {
    const m = model({
      form_config: { field_order: ['notes', 'nope', 'title'], hidden_fields: ['meta', 'at'], field_views: { notes: 'richtext', total: 'richtext' } },
    });
    const specs = formFields(m);
    expect(specs.map((s) => s.field.key)).toEqual(['notes', 'title', 'total', 'price', 'paid', 'status', 'tags', 'customer']);
    expect(specs[0]!.widget).toBe('richtext');
    expect(specs.find((s) => s.field.key === 'total')!.widget).toBe('number'); // richtext does not fit an integer
    expect(widgetFor({ key: 'c', type: 'ref' })).toBe('picker');
  });

  it('fills a new form with defaults and an existing one with the record', () => {
    const m = model();
    const fresh = toFormValues(m);
    expect(fresh['status']).toBe('new');
    expect(fresh['tags']).toEqual([]);
    expect(fresh['paid']).toBe(false);
    const v = toFormValues(m, { id: 'r', created: '', updated: '', total: 3, meta: { a: 1 }, tags: ['a'], paid: true, title: null });
    expect(v['total']).toBe('3');
    expect(v['meta']).toBe('{\n  "a": 1\n}');
    expect(v['tags']).toEqual(['a']);
    expect(v['title']).toBe('');
  });

  it('types the values and leaves empty ones to the server default on create', () => {
    const m = model();
    const values = { ...toFormValues(m), title: 'Hi', total: '7', price: '2.5', meta: '{"x":[1]}', at: '2026-11-24T15:00', tags: ['b'], status: '' };
    const { body, problems } = fromFormValues(m, values, { create: true });
    expect(problems).toEqual({});
    expect(body).toMatchObject({ title: 'Hi', total: 7, price: 2.5, meta: { x: [1] }, tags: ['b'], paid: false });
    expect(body['at']).toBe(new Date('2026-11-24T15:00').toISOString());
    expect('status' in body).toBe(false); // empty on create: the default applies
    expect('customer' in body).toBe(false);
  });

  it('on update sends emptied fields as null and only the fields shown', () => {
    const m = model();
    const values = { ...toFormValues(m), title: 'Hi', total: '' };
    const { body } = fromFormValues(m, values, { create: false, shown: ['title', 'total', 'tags'] });
    expect(body).toEqual({ title: 'Hi', total: null, tags: [] });
  });

  it('finds problems before sending, as translation keys', () => {
    const m = model();
    const values = { ...toFormValues(m), title: 'toolong', total: '2.5', price: 'x', meta: '{bad' };
    expect(fromFormValues(m, values, { create: true }).problems).toEqual({
      title: { key: 'maxLength', values: { n: 5 } },
      total: { key: 'integer' },
      price: { key: 'number' },
      meta: { key: 'json' },
    });
    expect(fromFormValues(m, { ...values, title: '', total: '-1', price: '', meta: '' }, { create: true }).problems).toEqual({
      title: { key: 'required' },
      total: { key: 'min', values: { n: 0 } },
    });
  });

  it('table columns, sorting and cells', () => {
    const m = model({ table_config: { columns: ['title', 'gone', 'created'], sort_columns: ['total'] } });
    expect(tableColumns(m)).toEqual(['title', 'created']);
    expect(tableColumns(model())).toHaveLength(6);
    expect([...sortableColumns(m)]).toEqual(['total']);
    expect(sortableColumns(model()).has('meta')).toBe(false);
    expect(sortableColumns(model()).has('tags')).toBe(false);
    expect([nextSort('', 'a'), nextSort('a', 'a'), nextSort('-a', 'a'), nextSort('-b', 'a')]).toEqual(['a', '-a', '', 'a']);
    expect(stripHtml('<p>Ship <strong>fast</strong> &amp; safe</p><p>2</p>')).toBe('Ship fast & safe 2');
  });
});

describe('the model builder', () => {
  it('round-trips a model and sends options only for their types', () => {
    const m = model();
    const s = builderFromModel(m);
    const body = builderToApi(s, { update: false });
    const byKey = Object.fromEntries(body.fields!.map((f) => [f.key, f]));
    expect(byKey['title']).toMatchObject({ type: 'string', required: true, max_length: 5, unique: false, indexed: false });
    expect(byKey['title']!.min).toBeUndefined();
    expect(byKey['total']).toMatchObject({ min: 0 });
    expect(byKey['total']!.max_length).toBeUndefined();
    expect(byKey['status']).toMatchObject({ values: ['new', 'paid'], default: 'new', multiple: false });
    expect(byKey['tags']!.unique).toBeUndefined(); // not for multiple
    expect(byKey['meta']!.indexed).toBeUndefined(); // not for documents
    expect(byKey['customer']).toMatchObject({ model: 'customers', on_delete: 'restrict' });
    expect(body.fields!.some((f) => 'old_key' in f)).toBe(false);
  });

  it('a rename sends old_key and keeps the field in the view settings', () => {
    const s = builderFromModel(
      model({ table_config: { columns: ['title', 'created'], default_sort: '-title' }, form_config: { field_order: ['title'], field_views: { title: 'textarea' }, hidden_fields: ['meta'] } }),
    );
    s.fields[0]!.key = 'name';
    s.fields = s.fields.filter((f) => f.key !== 'meta');
    const body = builderToApi(s, { update: true });
    expect(body.fields![0]).toMatchObject({ key: 'name', old_key: 'title' });
    expect(body.table_config).toMatchObject({ columns: ['name', 'created'], default_sort: '-name' });
    expect(body.form_config).toEqual({ field_order: ['name'], hidden_fields: [], field_views: { name: 'textarea' } });
  });

  it('types defaults and validates like the server before sending', () => {
    const s = builderFromModel();
    s.name = 'collection';
    s.fields.push({ ...emptyField(), key: 'id' }, { ...emptyField(), key: 'title' }, { ...emptyField(), key: 'n', type: 'integer', defaultText: '1.5' });
    s.fields.push({ ...emptyField(), key: 's', type: 'select' }, { ...emptyField(), key: 'r', type: 'ref' });
    s.indexes.push({ fields: [], unique: true });
    expect(validateBuilder(s)).toEqual({
      name: 'data.builder.reservedName',
      'fields.1.key': 'data.builder.reservedKey',
      'fields.2.key': 'data.builder.duplicateKey',
      'fields.3.default': 'data.builder.badDefault',
      'fields.4.values': 'data.builder.needValues',
      'fields.5.model': 'data.builder.needModel',
      'indexes.0': 'data.builder.indexNeedsFields',
    });
    const ok = builderFromModel();
    ok.name = 'things';
    ok.fields.push({ ...emptyField(), key: 'n', type: 'integer', defaultText: '3' }, { ...emptyField(), key: 'b', type: 'bool', defaultText: 'true' });
    expect(validateBuilder(ok)).toEqual({});
    const fields = builderToApi(ok, { update: false }).fields!;
    expect(fields[1]!.default).toBe(3);
    expect(fields[2]!.default).toBe(true);
  });
});

describe('goal statistics', () => {
  it('one chart row per day with a column per daily goal', () => {
    const rows = chartRows([
      { id: 'a', type: 'daily_counter', days: [{ date: '2026-01-02', value: 3 }, { date: '2026-01-01', value: 1 }] },
      { id: 'b', type: 'daily_counter', days: [{ date: '2026-01-01', value: 5 }, { date: '2026-01-02', value: 0 }] },
      { id: 'c', type: 'counter' },
    ]);
    expect(rows).toEqual([
      { date: '2026-01-01', a: 1, b: 5 },
      { date: '2026-01-02', a: 3, b: 0 },
    ]);
  });

  it('periods are UTC days, both ends included', () => {
    expect(lastDays(7, new Date('2026-03-05T23:30:00Z'))).toEqual({ from: '2026-02-27', to: '2026-03-05' });
    expect(lastDays(1, new Date('2026-03-05T00:00:00Z'))).toEqual({ from: '2026-03-05', to: '2026-03-05' });
  });

  it('suggests a slug the server accepts', () => {
    expect(slugFromGoalName('Sign ups!')).toBe('sign_ups');
    expect(slugFromGoalName('Café — заказы')).toBe('cafe');
    expect(GOAL_SLUG_RE.test(slugFromGoalName('Sign ups!'))).toBe(true);
    expect(GOAL_SLUG_RE.test('-x')).toBe(false);
  });
});
