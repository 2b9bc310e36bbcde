import { useEffect, useState, type ReactNode } from 'react';
import { PlayIcon, RotateCwIcon, SquareIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useReleases } from '@/api/code';
import { useProject, useProjectStatus } from '@/api/projects';
import { useRunAction, type RunAction } from '@/api/run';
import { ErrorState } from '@/components/ErrorState';
import { ProjectStatusBadge } from '@/components/ProjectStatusBadge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/error-message';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Select } from '@/components/ui/field';
import { formatDate } from '../code/fields';
import { LogView } from './LogView';

export function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm font-medium">{children}</dd>
    </div>
  );
}

// Run control (start with a chosen release, stop, restart), the run's state and the live log.
export default function RunPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const project = useProject(id);
  const status = useProjectStatus(id);
  const releases = useReleases(id);
  const action = useRunAction(id);
  const [version, setVersion] = useState('');
  const [confirmStop, setConfirmStop] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const active = releases.data?.find((r) => r.is_active)?.version;
  useEffect(() => {
    if (!version && active) setVersion(active);
  }, [active, version]);

  const s = status.data;
  const state = s?.state ?? 'stopped';
  const running = state === 'running' || state === 'starting';
  const noRelease = releases.data !== undefined && releases.data.length === 0;

  async function run(a: RunAction) {
    setDone(null);
    try {
      const r = await action.mutateAsync(a);
      setDone(t(`code.run.done.${r.state}`, { version: r.release ?? '' }));
    } catch {
      // shown below from action.error
    }
  }

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>{t('code.run.title')}</CardTitle>
        </CardHeader>
        <CardContent className="space-y-6">
          <div className="flex flex-wrap items-end gap-2">
            <div className="grid gap-1">
              <Label htmlFor="run-release" className="text-xs text-muted-foreground">
                {t('code.run.release')}
              </Label>
              <Select
                id="run-release"
                className="w-56"
                value={version}
                onChange={(e) => setVersion(e.target.value)}
                disabled={!releases.data?.length}
                data-testid="run-release"
              >
                {noRelease && <option value="">{t('projects.noRelease')}</option>}
                {(releases.data ?? []).map((r) => (
                  <option key={r.version} value={r.version}>
                    {t('code.releases.version', { version: r.version })}
                    {r.is_active ? ` (${t('code.releases.active')})` : ''}
                  </option>
                ))}
              </Select>
            </div>
            <Button
              onClick={() => void run({ kind: 'start', version: version || undefined })}
              disabled={action.isPending || noRelease || (running && version === s?.release)}
              data-testid="run-start"
            >
              <PlayIcon aria-hidden="true" />
              {running ? t('code.run.startVersion', { version }) : t('code.run.start')}
            </Button>
            <Button variant="outline" onClick={() => void run({ kind: 'restart' })} disabled={action.isPending || noRelease} data-testid="run-restart">
              <RotateCwIcon aria-hidden="true" />
              {t('code.run.restart')}
            </Button>
            <Button variant="outline" onClick={() => setConfirmStop(true)} disabled={action.isPending || !running} data-testid="run-stop">
              <SquareIcon aria-hidden="true" />
              {t('code.run.stop')}
            </Button>
            <span className="pb-2 text-sm text-muted-foreground" role="status" aria-live="polite" data-testid="run-feedback">
              {action.isPending ? t('code.run.working') : done}
            </span>
          </div>
          {noRelease && <p className="text-sm text-muted-foreground">{t('code.run.noRelease')}</p>}
          {action.isError && (
            <p role="alert" className="text-sm text-destructive">
              {errorMessage(t, action.error)}
            </p>
          )}
          {status.isError ? (
            <ErrorState title={t('dashboard.statusError')} error={status.error} onRetry={() => void status.refetch()} />
          ) : !s ? (
            <Skeleton className="h-16 w-full" />
          ) : (
            <dl className="grid gap-6 sm:grid-cols-2 lg:grid-cols-4" data-testid="run-state">
              <Fact label={t('dashboard.runState')}>
                <ProjectStatusBadge state={s.state} />
              </Fact>
              <Fact label={t('code.run.runningRelease')}>{s.release ?? '—'}</Fact>
              <Fact label={t('dashboard.startedAt')}>{formatDate(s.started_at, i18n.resolvedLanguage)}</Fact>
              <Fact label={t('dashboard.heap')}>{formatBytes(s.heap_used)}</Fact>
              <Fact label={t('dashboard.calls')}>{s.calls}</Fact>
              <Fact label={t('code.run.tasks')}>
                {t('code.run.tasksValue', { running: s.tasks.running, queued: s.tasks.queued, done: s.tasks.done, failed: s.tasks.failed })}
              </Fact>
              <Fact label={t('code.run.threads')}>{t('code.run.threadsValue', { total: s.threads.total, waiting: s.threads.waiting })}</Fact>
              <Fact label={t('code.run.outbound')}>{t('code.run.outboundValue', { requests: s.http.requests, errors: s.http.errors })}</Fact>
            </dl>
          )}
          {s?.last_error && (
            <div>
              <p className="text-xs text-muted-foreground">{t('dashboard.lastError')}</p>
              <pre className="mt-1 overflow-x-auto rounded-md bg-muted p-3 text-xs text-destructive">{s.last_error}</pre>
            </div>
          )}
        </CardContent>
      </Card>
      <LogView projectId={id} fileName={`${project.data?.slug ?? 'project'}-run.log`} />
      <ConfirmDialog
        open={confirmStop}
        onOpenChange={setConfirmStop}
        title={t('code.run.stopTitle')}
        description={t('code.run.stopText')}
        confirmLabel={t('code.run.stop')}
        pending={action.isPending}
        onConfirm={() => {
          setConfirmStop(false);
          void run({ kind: 'stop' });
        }}
      />
    </div>
  );
}
