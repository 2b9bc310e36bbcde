import { lazy, Suspense, useMemo, useState } from 'react';
import { Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useSaveRecord } from '@/api/data';
import { ApiError } from '@/api/errors';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/error-message';
import {
  formFields,
  fromFormValues,
  isMulti,
  toFormValues,
  type FieldProblem,
  type FormFieldSpec,
  type FormValue,
  type FormValues,
  type Model,
  type RecordData,
} from '@/lib/model-form';
import { Checkbox, FieldError, Select, Switch, Textarea } from '@/components/ui/field';
import { RefPicker } from './RefPicker';

const RichTextEditor = lazy(() => import('./RichTextEditor'));

// Create or edit a record with the widgets of the model's form settings.
export function RecordFormDialog({
  projectId,
  model,
  record,
  open,
  onOpenChange,
}: {
  projectId: string;
  model: Model;
  record: RecordData | null; // null: a new record
  open: boolean;
  onOpenChange: (v: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className="max-h-[90vh] overflow-y-auto sm:max-w-2xl" data-testid="record-dialog">
        <DialogHeader>
          <DialogTitle>{record ? t('data.records.editTitle') : t('data.records.newTitle', { model: model.name })}</DialogTitle>
          <DialogDescription>{record ? <span className="font-mono">{record.id}</span> : t('data.records.newHint')}</DialogDescription>
        </DialogHeader>
        {open && <RecordForm projectId={projectId} model={model} record={record} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function RecordForm({ projectId, model, record, onDone }: { projectId: string; model: Model; record: RecordData | null; onDone: () => void }) {
  const { t } = useTranslation();
  const specs = useMemo(() => formFields(model), [model]);
  const [values, setValues] = useState<FormValues>(() => toFormValues(model, record ?? undefined));
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});
  const [serverFields, setServerFields] = useState<Record<string, string>>({});
  const save = useSaveRecord(projectId, model.name);
  const set = (k: string, v: FormValue) => setValues((p) => ({ ...p, [k]: v }));

  const problemText = (k: string) => {
    const p = problems[k];
    if (p) return t(`data.problems.${p.key}` as 'data.problems.required', p.values ?? {});
    return serverFields[k];
  };

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const { body, problems: found } = fromFormValues(model, values, { create: !record, shown: specs.map((s) => s.field.key) });
    setProblems(found);
    setServerFields({});
    if (Object.keys(found).length > 0) return;
    try {
      await save.mutateAsync({ id: record?.id, body });
      onDone();
    } catch (err) {
      if (err instanceof ApiError) setServerFields(err.fields);
    }
  }

  const known = new Set(specs.map((s) => s.field.key));
  const otherServerProblems = Object.entries(serverFields).filter(([k]) => !known.has(k));
  const showGeneral = save.isError && (!(save.error instanceof ApiError) || Object.keys(save.error.fields).length === 0 || otherServerProblems.length > 0);

  return (
    <form className="grid gap-4" onSubmit={(e) => void onSubmit(e)} noValidate>
      {showGeneral && (
        <Alert variant="destructive" data-testid="record-error">
          <div>
            <p>{errorMessage(t, save.error)}</p>
            {otherServerProblems.map(([k, v]) => (
              <p key={k}>
                <span className="font-mono">{k}</span>: {v}
              </p>
            ))}
          </div>
        </Alert>
      )}
      {specs.length === 0 && <p className="text-sm text-muted-foreground">{t('data.records.noFormFields')}</p>}
      {specs.map((spec) => (
        <FieldWidget
          key={spec.field.key}
          projectId={projectId}
          spec={spec}
          value={values[spec.field.key]!}
          onChange={(v) => set(spec.field.key, v)}
          error={problemText(spec.field.key)}
        />
      ))}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" disabled={save.isPending} data-testid="record-save">
          {save.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
          {record ? t('data.records.save') : t('common.create')}
        </Button>
      </DialogFooter>
    </form>
  );
}

function FieldWidget({
  projectId,
  spec,
  value,
  onChange,
  error,
}: {
  projectId: string;
  spec: FormFieldSpec;
  value: FormValue;
  onChange: (v: FormValue) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  const { field: f, widget } = spec;
  const id = `rf-${f.key}`;
  const labelId = `${id}-label`;
  const errId = `${id}-error`;
  const common = {
    id,
    'aria-invalid': !!error,
    'aria-describedby': error ? errId : undefined,
    'data-testid': `field-${f.key}`,
  };
  const str = typeof value === 'string' ? value : '';
  let control: React.ReactNode;

  if (widget === 'switch' || widget === 'checkbox') {
    control =
      widget === 'switch' ? (
        <Switch id={id} checked={value === true} onChange={onChange} label={f.key} />
      ) : (
        <input type="checkbox" {...common} className="size-4 accent-primary" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
      );
    return (
      <div className="flex items-center gap-3">
        {control}
        <label htmlFor={id} id={labelId} className="font-mono text-sm font-medium">
          {f.key}
        </label>
        <FieldError id={errId}>{error}</FieldError>
      </div>
    );
  }

  if (widget === 'picker') {
    control = (
      <RefPicker
        projectId={projectId}
        targetModel={f.model ?? ''}
        multiple={isMulti(f)}
        value={Array.isArray(value) ? value : str ? [str] : []}
        onChange={(ids) => onChange(isMulti(f) ? ids : (ids[0] ?? ''))}
        labelledBy={labelId}
        invalid={!!error}
        testId={`field-${f.key}`}
      />
    );
  } else if (widget === 'richtext') {
    control = (
      <Suspense fallback={<Skeleton className="h-36 w-full" />}>
        <RichTextEditor value={str} onChange={onChange} labelledBy={labelId} invalid={!!error} testId={`field-${f.key}`} />
      </Suspense>
    );
  } else if (widget === 'textarea' || widget === 'json') {
    control = <Textarea {...common} rows={widget === 'json' ? 6 : 4} className={widget === 'json' ? 'font-mono text-xs' : undefined} value={str} onChange={(e) => onChange(e.target.value)} />;
  } else if ((widget === 'select' || widget === 'radio') && isMulti(f)) {
    const list = Array.isArray(value) ? value : [];
    control = (
      <div role="group" aria-labelledby={labelId} className="flex flex-wrap gap-x-4 gap-y-2" data-testid={`field-${f.key}`}>
        {(f.values ?? []).map((v) => (
          <Checkbox key={v} label={v} checked={list.includes(v)} onChange={(e) => onChange(e.target.checked ? [...list, v] : list.filter((x) => x !== v))} />
        ))}
      </div>
    );
  } else if (widget === 'radio') {
    control = (
      <div role="radiogroup" aria-labelledby={labelId} className="flex flex-wrap gap-x-4 gap-y-2" data-testid={`field-${f.key}`}>
        {['', ...(f.values ?? [])].map((v) => (
          <label key={v || '∅'} className="inline-flex items-center gap-2 text-sm">
            <input type="radio" name={id} className="accent-primary" checked={str === v} onChange={() => onChange(v)} />
            {v || t('data.records.noValue')}
          </label>
        ))}
      </div>
    );
  } else if (widget === 'select') {
    control = (
      <Select {...common} value={str} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('data.records.noValue')}</option>
        {(f.values ?? []).map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </Select>
    );
  } else {
    const type =
      widget === 'date' ? 'date' : widget === 'datetime' ? 'datetime-local' : widget === 'email' ? 'email' : widget === 'url' ? 'url' : 'text';
    control = (
      <Input
        {...common}
        type={type}
        inputMode={widget === 'number' ? (f.type === 'integer' ? 'numeric' : 'decimal') : undefined}
        className={f.type === 'file' ? 'font-mono' : undefined}
        value={str}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }

  return (
    <div className="grid gap-2">
      <label htmlFor={widget === 'picker' || widget === 'richtext' ? undefined : id} id={labelId} className="flex items-baseline gap-2 text-sm font-medium">
        <span className="font-mono">{f.key}</span>
        {f.required && <span className="text-xs text-destructive">{t('data.records.requiredMark')}</span>}
        <span className="text-xs font-normal text-muted-foreground">{t(`data.types.${f.type}` as 'data.types.string')}</span>
      </label>
      {control}
      <FieldError id={errId}>{error}</FieldError>
    </div>
  );
}
