import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { lineDiffStats, type Conflict, type ConflictChoice } from '@/lib/draft';

const DiffView = lazy(() => import('./CodeEditor').then((m) => ({ default: m.DiffView })));

// A save met a newer draft (409): show both and let the user choose.
export function ConflictDialog({
  conflict,
  dark,
  pending,
  onChoose,
  onCancel,
}: {
  conflict: Conflict | null;
  dark: boolean;
  pending: boolean;
  onChoose: (c: ConflictChoice) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const stats = conflict ? lineDiffStats(conflict.theirs, conflict.mine) : { added: 0, removed: 0 };
  return (
    <Dialog open={!!conflict} onOpenChange={(o) => !o && onCancel()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-5xl" data-testid="conflict-dialog">
        <DialogHeader>
          <DialogTitle>{t('code.conflict.title')}</DialogTitle>
          <DialogDescription>{t('code.conflict.description', { revision: conflict?.theirRevision ?? 0 })}</DialogDescription>
        </DialogHeader>
        <div className="flex justify-between text-xs text-muted-foreground">
          <span>{t('code.conflict.theirs')}</span>
          <span>{t('code.conflict.stats', { added: stats.added, removed: stats.removed })}</span>
          <span>{t('code.conflict.mine')}</span>
        </div>
        <div className="h-[50vh] overflow-hidden rounded-md border">
          {conflict && (
            <Suspense fallback={<Skeleton className="h-full w-full" />}>
              <DiffView
                original={conflict.theirs}
                modified={conflict.mine}
                dark={dark}
                originalLabel={t('code.conflict.theirs')}
                modifiedLabel={t('code.conflict.mine')}
              />
            </Suspense>
          )}
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={onCancel}>
            {t('code.conflict.keepEditing')}
          </Button>
          <Button variant="outline" disabled={pending} onClick={() => onChoose('theirs')} data-testid="conflict-theirs">
            {t('code.conflict.takeTheirs')}
          </Button>
          <Button disabled={pending} onClick={() => onChoose('mine')} data-testid="conflict-mine">
            {t('code.conflict.keepMine')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
