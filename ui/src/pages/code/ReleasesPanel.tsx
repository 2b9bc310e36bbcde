import { useState } from 'react';
import { MoreHorizontalIcon, PackageIcon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useActivateRelease, useDeleteReleases, type Release } from '@/api/code';
import { ErrorState } from '@/components/ErrorState';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/error-message';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { formatDate } from './fields';

function compare(a: Release, b: Release) {
  return a.major - b.major || a.minor - b.minor;
}

// The releases: version, tag, comment, date, active/running marks; activate
// (or roll back), reset the draft to one, branch from one, delete some.
export function ReleasesPanel({
  projectId,
  releases,
  isPending,
  error,
  onRetry,
  currentBranch,
  onResetTo,
  onBranchFrom,
}: {
  projectId: string;
  releases: Release[] | undefined;
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
  currentBranch: string;
  onResetTo: (version: string) => void;
  onBranchFrom: (version: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const activate = useActivateRelease(projectId);
  const del = useDeleteReleases(projectId);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (isPending)
    return (
      <div className="space-y-2" aria-busy="true">
        <Skeleton className="h-16 w-full" />
        <Skeleton className="h-16 w-full" />
      </div>
    );
  if (error) return <ErrorState title={t('code.releases.loadError')} error={error} onRetry={onRetry} />;
  const list = releases ?? [];
  const active = list.find((r) => r.is_active);
  const toggle = (v: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(v)) n.delete(v);
      else n.add(v);
      return n;
    });

  async function doActivate(r: Release) {
    setNotice(null);
    try {
      await activate.mutateAsync(r.version);
      const running = list.find((x) => x.is_running);
      setNotice(
        running && running.version !== r.version
          ? t('code.releases.activatedRestart', { version: r.version, running: running.version })
          : t('code.releases.activated', { version: r.version }),
      );
    } catch (e) {
      setNotice(errorMessage(t, e));
    }
  }

  async function doDelete(versions: string[]) {
    try {
      await del.mutateAsync(versions);
      setSelected(new Set());
      setNotice(t('code.releases.deleted', { count: versions.length }));
      setConfirm(null);
    } catch (e) {
      setNotice(errorMessage(t, e));
      setConfirm(null);
    }
  }

  return (
    <section aria-labelledby="releases-title" className="space-y-3" data-testid="releases">
      <div className="flex items-center justify-between gap-2">
        <h2 id="releases-title" className="text-base font-semibold">
          {t('code.releases.title')}
        </h2>
        {selected.size > 0 && (
          <Button variant="destructive" size="sm" onClick={() => setConfirm([...selected])} data-testid="delete-selected">
            <Trash2Icon aria-hidden="true" />
            {t('code.releases.deleteSelected', { count: selected.size })}
          </Button>
        )}
      </div>
      <p className="sr-only" aria-live="polite">
        {notice}
      </p>
      {notice && <p className="rounded-md bg-muted px-3 py-2 text-sm" data-testid="releases-notice">{notice}</p>}
      {list.length === 0 ? (
        <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed p-6 text-center" data-testid="releases-empty">
          <PackageIcon className="size-6 text-muted-foreground" aria-hidden="true" />
          <p className="text-sm font-medium">{t('code.releases.emptyTitle')}</p>
          <p className="text-xs text-muted-foreground">{t('code.releases.emptyText')}</p>
        </div>
      ) : (
        <ul className="divide-y rounded-lg border">
          {list.map((r) => {
            const locked = r.is_active || r.is_running;
            const older = active && compare(r, active) < 0;
            return (
              <li key={r.version} className="flex items-start gap-3 p-3" data-testid="release-row" data-version={r.version}>
                <input
                  type="checkbox"
                  className="mt-1 accent-primary"
                  aria-label={t('code.releases.select', { version: r.version })}
                  checked={selected.has(r.version)}
                  disabled={locked}
                  title={locked ? t('code.releases.locked') : undefined}
                  onChange={() => toggle(r.version)}
                />
                <div className="min-w-0 flex-1 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono font-semibold">{r.version}</span>
                    <Badge variant="outline">{t(`code.tags.${r.tag}`)}</Badge>
                    {r.is_active && (
                      <Badge variant="default" data-testid="release-active">
                        {t('code.releases.active')}
                      </Badge>
                    )}
                    {r.is_running && (
                      <Badge variant="success" data-testid="release-running">
                        {t('code.releases.running')}
                      </Badge>
                    )}
                  </div>
                  {r.comment && <p className="text-sm break-words">{r.comment}</p>}
                  <p className="text-xs text-muted-foreground">
                    {t('code.releases.meta', { date: formatDate(r.created_at, i18n.resolvedLanguage), branch: r.branch })}
                  </p>
                </div>
                <div className="flex items-center gap-1">
                  {!r.is_active && (
                    <Button
                      variant="outline"
                      size="sm"
                      disabled={activate.isPending}
                      onClick={() => void doActivate(r)}
                      data-testid="release-activate"
                    >
                      {older ? t('code.releases.rollback') : t('code.releases.activate')}
                    </Button>
                  )}
                  <DropdownMenu>
                    <DropdownMenuTrigger asChild>
                      <Button variant="ghost" size="icon" aria-label={t('code.releases.actions', { version: r.version })}>
                        <MoreHorizontalIcon aria-hidden="true" />
                      </Button>
                    </DropdownMenuTrigger>
                    <DropdownMenuContent align="end">
                      <DropdownMenuItem onSelect={() => onResetTo(r.version)}>
                        {t('code.releases.resetTo', { branch: currentBranch })}
                      </DropdownMenuItem>
                      <DropdownMenuItem onSelect={() => onBranchFrom(r.version)}>{t('code.releases.branchFrom')}</DropdownMenuItem>
                      <DropdownMenuSeparator />
                      <DropdownMenuItem disabled={locked} onSelect={() => setConfirm([r.version])} className="text-destructive">
                        {t('code.releases.delete')}
                      </DropdownMenuItem>
                    </DropdownMenuContent>
                  </DropdownMenu>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <ConfirmDialog
        open={!!confirm}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={t('code.releases.deleteTitle', { count: confirm?.length ?? 0 })}
        description={t('code.releases.deleteText', { versions: (confirm ?? []).join(', ') })}
        confirmLabel={t('code.releases.delete')}
        pending={del.isPending}
        onConfirm={() => void doDelete(confirm ?? [])}
      />
    </section>
  );
}
