import { useEffect, useState, type ReactNode } from 'react';
import { ArrowDownIcon, ArrowUpIcon, Loader2Icon, PlusIcon, SaveIcon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { useDeleteModel, useModel, useModels, useSaveModel } from '@/api/data';
import { ApiError } from '@/api/errors';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/error-message';
import {
  applies,
  builderFromModel,
  builderToApi,
  emptyField,
  validateBuilder,
  type BuilderField,
  type BuilderState,
} from '@/lib/model-builder';
import { FIELD_TYPES, WIDGETS, type FieldType, type Model } from '@/lib/model-form';
import { Checkbox, FieldError, Select, Textarea } from '@/components/ui/field';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ProjectCrumbs } from './ProjectCrumbs';

const SYSTEM = ['id', 'created', 'updated'];

function move<T>(list: T[], i: number, d: number): T[] {
  const j = i + d;
  if (j < 0 || j >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}
const toggle = (list: string[], k: string, on: boolean) => (on ? [...list.filter((x) => x !== k), k] : list.filter((x) => x !== k));

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {description && <CardDescription>{description}</CardDescription>}
      </CardHeader>
      <CardContent className="space-y-4">{children}</CardContent>
    </Card>
  );
}

export default function ModelBuilderPage() {
  const { id = '', model: modelName } = useParams();
  const editing = !!modelName;
  const model = useModel(id, modelName ?? '', editing);
  if (editing && model.isPending)
    return (
      <div className="space-y-4" aria-busy="true">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-64 w-full" />
      </div>
    );
  if (editing && model.isError) return <BuilderError projectId={id} error={model.error} retry={() => void model.refetch()} />;
  return <Builder key={model.data?.updated_at ?? 'new'} projectId={id} model={model.data} />;
}

function BuilderError({ projectId, error, retry }: { projectId: string; error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="space-y-6">
      <ProjectCrumbs projectId={projectId} items={[{ label: t('data.models.title'), to: `/projects/${projectId}/data` }]} />
      <ErrorState title={t('data.builder.loadError')} error={error} onRetry={retry} />
    </div>
  );
}

function Builder({ projectId, model }: { projectId: string; model?: Model }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [s, setS] = useState<BuilderState>(() => builderFromModel(model));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useSaveModel(projectId, model?.id);
  const del = useDeleteModel(projectId);
  const models = useModels(projectId);
  const editing = !!model;

  useEffect(() => {
    document.title = `${editing ? model.name : t('data.builder.newTitle')} · m3m`;
  }, [editing, model, t]);

  const setField = (i: number, patch: Partial<BuilderField>) =>
    setS((p) => ({ ...p, fields: p.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) }));
  const keys = s.fields.map((f) => f.key).filter(Boolean);
  const problem = (path: string) => {
    const v = problems[path];
    return v ? t(v as 'data.builder.badName', { defaultValue: v }) : undefined;
  };

  async function onSave() {
    const local = validateBuilder(s);
    setProblems(local);
    if (Object.keys(local).length > 0) return;
    try {
      const saved = await save.mutateAsync(builderToApi(s, { update: editing }));
      navigate(`/projects/${projectId}/data/${encodeURIComponent(saved.name)}`);
    } catch (err) {
      if (err instanceof ApiError) setProblems(err.fields);
    }
  }

  const otherModels = (models.data?.items ?? []).map((m) => m.name).filter((n) => n !== model?.name);
  const refTargets = [...otherModels, ...(s.name ? [s.name] : [])];
  const unplaced = Object.keys(problems).filter(
    (p) => !/^(name|description|fields\.\d+\.(key|values|model|default|min|max|min_length|max_length|pattern|type))$/.test(p),
  );

  const formOrder = [...s.form.order.filter((k) => keys.includes(k)), ...keys.filter((k) => !s.form.order.includes(k))];

  return (
    <div className="space-y-6">
      <ProjectCrumbs
        projectId={projectId}
        items={[
          { label: t('data.models.title'), to: `/projects/${projectId}/data` },
          ...(model ? [{ label: model.name, to: `/projects/${projectId}/data/${encodeURIComponent(model.name)}` }] : []),
          { label: editing ? t('data.builder.schema') : t('data.builder.newTitle') },
        ]}
      />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h2 className="text-xl font-semibold tracking-tight">
          {editing ? t('data.builder.editTitle', { name: model.name }) : t('data.builder.newTitle')}
        </h2>
        <div className="flex gap-2">
          {editing && (
            <Button variant="outline" onClick={() => setConfirmDelete(true)} data-testid="delete-model">
              <Trash2Icon aria-hidden="true" />
              {t('data.builder.delete')}
            </Button>
          )}
          <Button onClick={() => void onSave()} disabled={save.isPending} data-testid="save-model">
            {save.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <SaveIcon aria-hidden="true" />}
            {t('data.builder.save')}
          </Button>
        </div>
      </div>

      {(save.isError || Object.keys(problems).length > 0) && (
        <Alert variant="destructive" data-testid="builder-error">
          <div className="space-y-1">
            <p className="font-medium">{t('data.builder.fixProblems')}</p>
            {save.error instanceof ApiError && Object.keys(save.error.fields).length === 0 && <p>{errorMessage(t, save.error)}</p>}
            {save.error && !(save.error instanceof ApiError) && <p>{errorMessage(t, save.error)}</p>}
            {unplaced.map((p) => (
              <p key={p}>
                <span className="font-mono">{p}</span>: {problem(p)}
              </p>
            ))}
          </div>
        </Alert>
      )}

      <Section title={t('data.builder.general')}>
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="grid gap-2">
            <Label htmlFor="model-name">{t('data.builder.name')}</Label>
            <Input
              id="model-name"
              className="font-mono"
              value={s.name}
              aria-invalid={!!problems['name']}
              aria-describedby="model-name-hint model-name-error"
              onChange={(e) => setS({ ...s, name: e.target.value })}
            />
            <p id="model-name-hint" className="text-xs text-muted-foreground">
              {t('data.builder.nameHint')}
            </p>
            <FieldError id="model-name-error">{problem('name')}</FieldError>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="model-description">{t('data.builder.description')}</Label>
            <Textarea id="model-description" rows={2} value={s.description} onChange={(e) => setS({ ...s, description: e.target.value })} />
          </div>
        </div>
      </Section>

      <Section title={t('data.builder.fields')} description={t('data.builder.fieldsHint')}>
        {s.fields.length === 0 && <p className="text-sm text-muted-foreground">{t('data.builder.noFields')}</p>}
        <ol className="space-y-3">
          {s.fields.map((f, i) => (
            <li key={f.uid} className="space-y-3 rounded-lg border p-4" data-testid="builder-field">
              <div className="flex flex-wrap items-end gap-3">
                <div className="grid min-w-40 flex-1 gap-1">
                  <Label htmlFor={`${f.uid}-key`}>{t('data.builder.key')}</Label>
                  <Input
                    id={`${f.uid}-key`}
                    className="font-mono"
                    value={f.key}
                    aria-invalid={!!problems[`fields.${i}.key`]}
                    onChange={(e) => setField(i, { key: e.target.value })}
                  />
                </div>
                <div className="grid w-40 gap-1">
                  <Label htmlFor={`${f.uid}-type`}>{t('data.builder.type')}</Label>
                  <Select id={`${f.uid}-type`} value={f.type} onChange={(e) => setField(i, { type: e.target.value as FieldType })}>
                    {FIELD_TYPES.map((ty) => (
                      <option key={ty} value={ty}>
                        {t(`data.types.${ty}` as 'data.types.string')}
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="flex gap-1">
                  <Button variant="ghost" size="icon" aria-label={t('data.builder.moveUp', { key: f.key })} disabled={i === 0} onClick={() => setS({ ...s, fields: move(s.fields, i, -1) })}>
                    <ArrowUpIcon aria-hidden="true" />
                  </Button>
                  <Button variant="ghost" size="icon" aria-label={t('data.builder.moveDown', { key: f.key })} disabled={i === s.fields.length - 1} onClick={() => setS({ ...s, fields: move(s.fields, i, 1) })}>
                    <ArrowDownIcon aria-hidden="true" />
                  </Button>
                  <Button variant="ghost" size="icon" aria-label={t('data.builder.removeField', { key: f.key })} onClick={() => setS({ ...s, fields: s.fields.filter((_, j) => j !== i) })}>
                    <Trash2Icon aria-hidden="true" />
                  </Button>
                </div>
              </div>
              <FieldError>{problem(`fields.${i}.key`) ?? problem(`fields.${i}.type`)}</FieldError>
              {editing && f.origKey && f.origKey !== f.key && (
                <p className="text-xs text-muted-foreground">{t('data.builder.renameNote', { from: f.origKey })}</p>
              )}
              <div className="flex flex-wrap gap-x-5 gap-y-2">
                <Checkbox label={t('data.builder.required')} checked={f.required} onChange={(e) => setField(i, { required: e.target.checked })} />
                <Checkbox label={t('data.builder.nullable')} checked={f.nullable} onChange={(e) => setField(i, { nullable: e.target.checked })} />
                {applies.unique(f.type, f.multiple) && (
                  <Checkbox label={t('data.builder.unique')} checked={f.unique} onChange={(e) => setField(i, { unique: e.target.checked })} />
                )}
                {applies.indexed(f.type) && (
                  <Checkbox label={t('data.builder.indexed')} checked={f.indexed} onChange={(e) => setField(i, { indexed: e.target.checked })} />
                )}
                {applies.multiple(f.type) && (
                  <Checkbox label={t('data.builder.multiple')} checked={f.multiple} onChange={(e) => setField(i, { multiple: e.target.checked })} />
                )}
              </div>
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
                {applies.bounds(f.type) && (
                  <>
                    <Opt uid={f.uid} name="min" label={t('data.builder.min')} value={f.min} onChange={(v) => setField(i, { min: v })} error={problem(`fields.${i}.min`)} numeric />
                    <Opt uid={f.uid} name="max" label={t('data.builder.max')} value={f.max} onChange={(v) => setField(i, { max: v })} error={problem(`fields.${i}.max`)} numeric />
                  </>
                )}
                {applies.lengths(f.type) && (
                  <>
                    <Opt uid={f.uid} name="minlen" label={t('data.builder.minLength')} value={f.minLength} onChange={(v) => setField(i, { minLength: v })} error={problem(`fields.${i}.min_length`)} numeric />
                    <Opt uid={f.uid} name="maxlen" label={t('data.builder.maxLength')} value={f.maxLength} onChange={(v) => setField(i, { maxLength: v })} error={problem(`fields.${i}.max_length`)} numeric />
                    <Opt uid={f.uid} name="pattern" label={t('data.builder.pattern')} value={f.pattern} onChange={(v) => setField(i, { pattern: v })} error={problem(`fields.${i}.pattern`)} mono />
                  </>
                )}
                {f.type === 'ref' && (
                  <>
                    <div className="grid gap-1">
                      <Label htmlFor={`${f.uid}-model`}>{t('data.builder.refModel')}</Label>
                      <Select id={`${f.uid}-model`} value={f.model} aria-invalid={!!problems[`fields.${i}.model`]} onChange={(e) => setField(i, { model: e.target.value })}>
                        <option value="">{t('data.builder.chooseModel')}</option>
                        {refTargets.map((n) => (
                          <option key={n} value={n}>
                            {n}
                          </option>
                        ))}
                      </Select>
                      <FieldError>{problem(`fields.${i}.model`)}</FieldError>
                    </div>
                    <div className="grid gap-1">
                      <Label htmlFor={`${f.uid}-ondelete`}>{t('data.builder.onDelete')}</Label>
                      <Select id={`${f.uid}-ondelete`} value={f.onDelete} onChange={(e) => setField(i, { onDelete: e.target.value as BuilderField['onDelete'] })}>
                        <option value="restrict">{t('data.builder.restrict')}</option>
                        <option value="set_null">{t('data.builder.setNull')}</option>
                        <option value="cascade">{t('data.builder.cascade')}</option>
                      </Select>
                    </div>
                  </>
                )}
                {f.type !== 'ref' && (
                  <Opt uid={f.uid} name="default" label={t('data.builder.default')} value={f.defaultText} onChange={(v) => setField(i, { defaultText: v })} error={problem(`fields.${i}.default`)} mono />
                )}
              </div>
              {f.type === 'select' && (
                <div className="grid gap-1">
                  <Label htmlFor={`${f.uid}-values`}>{t('data.builder.values')}</Label>
                  <Textarea
                    id={`${f.uid}-values`}
                    rows={3}
                    className="font-mono"
                    value={f.valuesText}
                    aria-invalid={!!problems[`fields.${i}.values`]}
                    onChange={(e) => setField(i, { valuesText: e.target.value })}
                  />
                  <FieldError>{problem(`fields.${i}.values`)}</FieldError>
                </div>
              )}
            </li>
          ))}
        </ol>
        <Button variant="outline" onClick={() => setS({ ...s, fields: [...s.fields, emptyField()] })} data-testid="add-field">
          <PlusIcon aria-hidden="true" />
          {t('data.builder.addField')}
        </Button>
      </Section>

      <Section title={t('data.builder.indexes')} description={t('data.builder.indexesHint')}>
        {s.indexes.length === 0 && <p className="text-sm text-muted-foreground">{t('data.builder.noIndexes')}</p>}
        {s.indexes.map((ix, j) => (
          <fieldset key={j} className="space-y-2 rounded-lg border p-3">
            <legend className="px-1 text-sm font-medium">{t('data.builder.indexN', { n: j + 1 })}</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-2">
              {keys.map((k) => (
                <Checkbox
                  key={k}
                  label={<span className="font-mono">{k}</span>}
                  checked={ix.fields.includes(k)}
                  onChange={(e) =>
                    setS({ ...s, indexes: s.indexes.map((x, y) => (y === j ? { ...x, fields: toggle(x.fields, k, e.target.checked) } : x)) })
                  }
                />
              ))}
            </div>
            <div className="flex items-center justify-between gap-2">
              <Checkbox
                label={t('data.builder.unique')}
                checked={ix.unique}
                onChange={(e) => setS({ ...s, indexes: s.indexes.map((x, y) => (y === j ? { ...x, unique: e.target.checked } : x)) })}
              />
              <Button variant="ghost" size="sm" onClick={() => setS({ ...s, indexes: s.indexes.filter((_, y) => y !== j) })}>
                <Trash2Icon aria-hidden="true" />
                {t('data.builder.removeIndex')}
              </Button>
            </div>
            <FieldError>{problem(`indexes.${j}`)}</FieldError>
          </fieldset>
        ))}
        <Button variant="outline" onClick={() => setS({ ...s, indexes: [...s.indexes, { fields: [], unique: false }] })}>
          <PlusIcon aria-hidden="true" />
          {t('data.builder.addIndex')}
        </Button>
      </Section>

      <Section title={t('data.builder.table')} description={t('data.builder.tableHint')}>
        <KeyChecks
          legend={t('data.builder.columns')}
          keys={[...keys, ...SYSTEM]}
          selected={s.table.columns}
          onChange={(columns) => setS({ ...s, table: { ...s.table, columns } })}
        />
        <KeyChecks
          legend={t('data.builder.sortColumns')}
          keys={[...keys, ...SYSTEM]}
          selected={s.table.sortColumns}
          onChange={(sortColumns) => setS({ ...s, table: { ...s.table, sortColumns } })}
        />
        <KeyChecks
          legend={t('data.builder.filters')}
          keys={s.fields.filter((f) => f.type === 'select' || f.type === 'bool').map((f) => f.key).filter(Boolean)}
          selected={s.table.filters}
          onChange={(filters) => setS({ ...s, table: { ...s.table, filters } })}
        />
        <div className="flex flex-wrap items-end gap-3">
          <div className="grid w-56 gap-1">
            <Label htmlFor="default-sort">{t('data.builder.defaultSort')}</Label>
            <Select
              id="default-sort"
              value={s.table.defaultSort.replace(/^-/, '')}
              onChange={(e) =>
                setS({ ...s, table: { ...s.table, defaultSort: e.target.value ? (s.table.defaultSort.startsWith('-') ? '-' : '') + e.target.value : '' } })
              }
            >
              <option value="">{t('data.builder.sortNone')}</option>
              {[...keys, ...SYSTEM].map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </Select>
          </div>
          <Checkbox
            label={t('data.builder.descending')}
            disabled={!s.table.defaultSort}
            checked={s.table.defaultSort.startsWith('-')}
            onChange={(e) =>
              setS({ ...s, table: { ...s.table, defaultSort: (e.target.checked ? '-' : '') + s.table.defaultSort.replace(/^-/, '') } })
            }
          />
        </div>
      </Section>

      <Section title={t('data.builder.form')} description={t('data.builder.formHint')}>
        {formOrder.length === 0 && <p className="text-sm text-muted-foreground">{t('data.builder.noFields')}</p>}
        <ol className="divide-y rounded-lg border">
          {formOrder.map((k, i) => {
            const f = s.fields.find((x) => x.key === k)!;
            return (
              <li key={k} className="flex flex-wrap items-center gap-3 px-3 py-2">
                <span className="min-w-32 flex-1 font-mono text-sm">{k}</span>
                <Select
                  className="w-40"
                  aria-label={t('data.builder.widgetFor', { key: k })}
                  value={s.form.views[k] && WIDGETS[f.type].includes(s.form.views[k]) ? s.form.views[k] : WIDGETS[f.type][0]}
                  onChange={(e) => setS({ ...s, form: { ...s.form, views: { ...s.form.views, [k]: e.target.value } } })}
                >
                  {WIDGETS[f.type].map((w) => (
                    <option key={w} value={w}>
                      {t(`data.widgets.${w}` as 'data.widgets.input')}
                    </option>
                  ))}
                </Select>
                <Checkbox
                  label={t('data.builder.hidden')}
                  checked={s.form.hidden.includes(k)}
                  onChange={(e) => setS({ ...s, form: { ...s.form, hidden: toggle(s.form.hidden, k, e.target.checked) } })}
                />
                <div className="flex">
                  <Button variant="ghost" size="icon" aria-label={t('data.builder.moveUp', { key: k })} disabled={i === 0} onClick={() => setS({ ...s, form: { ...s.form, order: move(formOrder, i, -1) } })}>
                    <ArrowUpIcon aria-hidden="true" />
                  </Button>
                  <Button variant="ghost" size="icon" aria-label={t('data.builder.moveDown', { key: k })} disabled={i === formOrder.length - 1} onClick={() => setS({ ...s, form: { ...s.form, order: move(formOrder, i, 1) } })}>
                    <ArrowDownIcon aria-hidden="true" />
                  </Button>
                </div>
              </li>
            );
          })}
        </ol>
      </Section>

      {editing && (
        <ConfirmDialog
          open={confirmDelete}
          onOpenChange={setConfirmDelete}
          title={t('data.builder.deleteTitle', { name: model.name })}
          description={t('data.builder.deleteText')}
          confirmLabel={t('data.builder.delete')}
          onConfirm={async () => {
            await del.mutateAsync(model.id);
            navigate(`/projects/${projectId}/data`);
          }}
        />
      )}
    </div>
  );
}

function Opt({
  uid,
  name,
  label,
  value,
  onChange,
  error,
  numeric,
  mono,
}: {
  uid: string;
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  numeric?: boolean;
  mono?: boolean;
}) {
  const id = `${uid}-${name}`;
  return (
    <div className="grid gap-1">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        inputMode={numeric ? 'decimal' : undefined}
        className={mono ? 'font-mono' : undefined}
        value={value}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </div>
  );
}

function KeyChecks({ legend, keys, selected, onChange }: { legend: string; keys: string[]; selected: string[]; onChange: (v: string[]) => void }) {
  if (keys.length === 0) return null;
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {keys.map((k) => (
          <Checkbox key={k} label={<span className="font-mono">{k}</span>} checked={selected.includes(k)} onChange={(e) => onChange(toggle(selected, k, e.target.checked))} />
        ))}
      </div>
    </fieldset>
  );
}
