import { useState } from 'react';
import { Trash2Icon, XIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { deleteRecord, useRefreshRecords } from '@/api/data';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { toast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/error-message';
import { runBulk, type BulkResult } from '@/lib/selection';

// The bar over the records table while rows are selected: how many, clear, and
// delete them all (after a confirmation; one request per record, with progress;
// the ones that could not be deleted stay selected and are reported).
export function BulkDelete({
  projectId,
  model,
  selected,
  onChange,
}: {
  projectId: string;
  model: string;
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}) {
  const { t } = useTranslation();
  const refresh = useRefreshRecords(projectId);
  const [asking, setAsking] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [failure, setFailure] = useState<BulkResult | null>(null);
  const count = selected.size;

  async function run() {
    const ids = [...selected];
    setFailure(null);
    setProgress({ done: 0, total: ids.length });
    const r = await runBulk(ids, (id) => deleteRecord(projectId, model, id), (done, total) => setProgress({ done, total }));
    setProgress(null);
    await refresh();
    onChange(new Set(r.failed.map((f) => f.id)));
    if (r.failed.length === 0) toast.success(t('data.bulk.deleted', { count: r.ok.length }));
    else {
      setFailure(r);
      toast.error(t('data.bulk.partial', { failed: r.failed.length, count: ids.length }));
    }
  }

  return (
    <>
      {failure && (
        <Alert variant="destructive" data-testid="bulk-failure">
          <div className="grid gap-1">
            <p>{t('data.bulk.partialText', { failed: failure.failed.length, ok: failure.ok.length })}</p>
            <ul className="list-disc pl-5 text-xs">
              {failure.failed.slice(0, 5).map((f) => (
                <li key={f.id}>
                  <span className="font-mono">{f.id}</span>: {errorMessage(t, f.error)}
                </li>
              ))}
            </ul>
          </div>
          <Button variant="ghost" size="icon" className="ml-auto size-7" aria-label={t('common.close')} onClick={() => setFailure(null)}>
            <XIcon aria-hidden="true" />
          </Button>
        </Alert>
      )}
      {count > 0 && (
        <div className="flex flex-wrap items-center gap-2 rounded-md border bg-muted/40 px-3 py-2 text-sm" role="region" aria-label={t('data.bulk.label')} data-testid="bulk-bar">
          <span aria-live="polite" data-testid="bulk-count">
            {t('data.bulk.selected', { count })}
          </span>
          <div className="flex-1" />
          <Button variant="ghost" size="sm" onClick={() => onChange(new Set())}>
            {t('data.bulk.clear')}
          </Button>
          <Button variant="destructive" size="sm" onClick={() => setAsking(true)} aria-haspopup="dialog" data-testid="bulk-delete">
            <Trash2Icon aria-hidden="true" />
            {t('data.bulk.delete', { count })}
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={asking}
        onOpenChange={(o) => !progress && setAsking(o)}
        title={t('data.bulk.title', { count })}
        description={t('data.bulk.text', { count, model })}
        confirmLabel={t('data.bulk.confirm', { count })}
        onConfirm={run}
        testId="bulk-dialog"
      >
        {progress && (
          <div className="grid gap-1 text-sm" data-testid="bulk-progress">
            <span>{t('data.bulk.progress', { done: progress.done, total: progress.total })}</span>
            <div
              className="h-1.5 overflow-hidden rounded-full bg-muted"
              role="progressbar"
              aria-label={t('data.bulk.progressLabel')}
              aria-valuemin={0}
              aria-valuemax={progress.total}
              aria-valuenow={progress.done}
            >
              <div className="h-full bg-destructive transition-[width]" style={{ width: `${(progress.done / Math.max(1, progress.total)) * 100}%` }} />
            </div>
          </div>
        )}
      </ConfirmDialog>
    </>
  );
}

// The header's checkbox: the whole page on or off (mixed when some rows are selected).
export function SelectAllBox({ state, disabled, onChange }: { state: 'all' | 'some' | 'none'; disabled: boolean; onChange: (on: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <input
      type="checkbox"
      className="size-4 align-middle accent-primary"
      aria-label={t('data.bulk.selectAll')}
      checked={state === 'all'}
      ref={(el) => {
        if (el) el.indeterminate = state === 'some';
      }}
      disabled={disabled}
      onChange={(e) => onChange(e.target.checked)}
      data-testid="select-all"
    />
  );
}
