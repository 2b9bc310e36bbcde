import { useEffect, useState } from 'react';
import { CheckIcon, Loader2Icon, SearchIcon, XIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useModel, useRecords, useRecordsByIds } from '@/api/data';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { quoteFilterValue } from '@/lib/filter-error';
import { cellText, labelField, type Model, type RecordData } from '@/lib/model-form';
import { cn } from '@/lib/utils';

export function recordLabel(model: Pick<Model, 'fields'> | undefined, r: RecordData | undefined, id: string): string {
  if (!r || !model) return id;
  const f = labelField(model);
  const text = f ? cellText(f, r[f.key]) : '';
  return text || id;
}

// A ref field's value: chips for the chosen records, and a dialog to search the
// target model (on its label field, the first string field) and pick.
export function RefPicker({
  projectId,
  targetModel,
  value,
  multiple,
  onChange,
  labelledBy,
  invalid,
  testId,
}: {
  projectId: string;
  targetModel: string;
  value: string[];
  multiple: boolean;
  onChange: (ids: string[]) => void;
  labelledBy: string;
  invalid?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const target = useModel(projectId, targetModel);
  const chosen = useRecordsByIds(projectId, targetModel, value);
  const byId = new Map((chosen.data?.items ?? []).map((r) => [r.id, r]));

  return (
    <div className="space-y-2" data-testid={testId}>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-labelledby={labelledBy}>
        {value.length === 0 && <span className="text-sm text-muted-foreground">{t('data.ref.none')}</span>}
        {value.map((id) => (
          <span key={id} className="inline-flex items-center gap-1 rounded-full border bg-muted/50 py-0.5 pr-1 pl-2.5 text-sm" data-testid="ref-chip">
            {recordLabel(target.data, byId.get(id), id)}
            <button
              type="button"
              className="rounded-full p-0.5 outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              aria-label={t('data.ref.remove', { label: recordLabel(target.data, byId.get(id), id) })}
              onClick={() => onChange(value.filter((x) => x !== id))}
            >
              <XIcon className="size-3.5" aria-hidden="true" />
            </button>
          </span>
        ))}
        <Button variant="outline" size="sm" onClick={() => setOpen(true)} aria-invalid={invalid} data-testid="ref-choose" aria-haspopup="dialog">
          <SearchIcon aria-hidden="true" />
          {t('data.ref.choose')}
        </Button>
      </div>
      {open && (
        <PickerDialog
          projectId={projectId}
          model={target.data}
          modelName={targetModel}
          selected={value}
          onPick={(id) => {
            if (!multiple) {
              onChange([id]);
              setOpen(false);
            } else onChange(value.includes(id) ? value.filter((x) => x !== id) : [...value, id]);
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}

function PickerDialog({
  projectId,
  model,
  modelName,
  selected,
  onPick,
  onClose,
}: {
  projectId: string;
  model: Model | undefined;
  modelName: string;
  selected: string[];
  onPick: (id: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(h);
  }, [q]);
  const lf = model ? labelField(model) : undefined;
  const filter = debounced ? (lf ? `${lf.key} ~ ${quoteFilterValue(debounced)}` : `id ~ ${quoteFilterValue(debounced)}`) : undefined;
  const records = useRecords(projectId, modelName, { filter, perPage: 20, sort: lf?.key }, !!model);
  const items = records.data?.items ?? [];
  return (
    <Dialog open onOpenChange={(v) => !v && onClose()}>
      <DialogContent closeLabel={t('common.close')} data-testid="ref-dialog">
        <DialogHeader>
          <DialogTitle>{t('data.ref.title', { model: modelName })}</DialogTitle>
          <DialogDescription>{t('data.ref.hint')}</DialogDescription>
        </DialogHeader>
        <div className="relative">
          <SearchIcon className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground" aria-hidden="true" />
          <Input
            autoFocus
            className="pl-8"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('data.ref.search')}
            aria-label={t('data.ref.search')}
            data-testid="ref-search"
          />
        </div>
        {records.isError && <ErrorState title={t('data.ref.loadError')} error={records.error} />}
        {(records.isPending || !model) && !records.isError && (
          <div className="flex justify-center py-6 text-muted-foreground" role="status">
            <Loader2Icon className="size-5 animate-spin" aria-hidden="true" />
            <span className="sr-only">{t('common.loading')}</span>
          </div>
        )}
        {records.isSuccess && items.length === 0 && <p className="py-6 text-center text-sm text-muted-foreground">{t('data.ref.nothing')}</p>}
        {items.length > 0 && (
          <ul className="max-h-80 space-y-1 overflow-y-auto" aria-label={t('data.ref.results')}>
            {items.map((r) => {
              const on = selected.includes(r.id);
              return (
                <li key={r.id}>
                  <button
                    type="button"
                    aria-pressed={on}
                    onClick={() => onPick(r.id)}
                    data-testid="ref-option"
                    className={cn(
                      'flex w-full items-center justify-between gap-3 rounded-md px-3 py-2 text-left text-sm outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50',
                      on && 'bg-accent',
                    )}
                  >
                    <span className="truncate">{recordLabel(model, r, r.id)}</span>
                    <span className="flex items-center gap-2">
                      <span className="font-mono text-xs text-muted-foreground">{r.id}</span>
                      {on && <CheckIcon className="size-4 text-primary" aria-hidden="true" />}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <div className="flex justify-end">
          <Button variant="outline" onClick={onClose}>
            {t('common.close')}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}
