import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useProject, useProjectStatus } from '@/api/projects';
import { useGoalStats, useLogTail, useProjectGoals } from '@/api/run';
import { ErrorState } from '@/components/ErrorState';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { colorClass } from '@/lib/colors';
import { toLogLines } from '@/lib/logs';
import { cn } from '@/lib/utils';
import { formatDate } from './code/fields';
import { Fact, formatBytes } from './run/RunPage';

// The project at a glance: run state and releases, recent log lines, goals,
// schedule jobs and background tasks (from the status endpoint).
export default function ProjectDashboardPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const project = useProject(id);
  const status = useProjectStatus(id);
  const logs = useLogTail(id, 12);
  const goals = useProjectGoals(id);
  const goalIds = (goals.data ?? []).map((g) => g.id);
  const stats = useGoalStats(id, goalIds);
  const lang = i18n.resolvedLanguage;

  const p = project.data;
  const s = status.data;
  if (!p) return null; // the layout shows loading and errors of the project
  const totals = new Map((stats.data?.goals ?? []).map((g) => [g.id, g.total]));

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card className="lg:col-span-2">
        <CardHeader>
          <CardTitle>{t('dashboard.overview')}</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
            <Fact label={t('dashboard.publicUrl')}>
              <span className="font-mono">/r/{p.slug}/</span>
            </Fact>
            <Fact label={t('dashboard.activeRelease')}>
              <span data-testid="dash-active">{p.active_release ?? t('projects.noRelease')}</span>
            </Fact>
            <Fact label={t('code.run.runningRelease')}>
              <span data-testid="dash-running">{s?.release ?? '—'}</span>
            </Fact>
            <Fact label={t('dashboard.runState')}>
              {status.isPending ? <Skeleton className="h-5 w-20" /> : s ? t(`projects.status.${s.state}`) : '—'}
            </Fact>
            <Fact label={t('dashboard.autoStart')}>{p.auto_start ? t('dashboard.on') : t('dashboard.off')}</Fact>
            <Fact label={t('dashboard.startedAt')}>{formatDate(s?.started_at, lang)}</Fact>
            <Fact label={t('dashboard.heap')}>{s ? formatBytes(s.heap_used) : '—'}</Fact>
            <Fact label={t('dashboard.calls')}>{s?.calls ?? '—'}</Fact>
          </dl>
          {s?.last_error && (
            <div className="mt-6">
              <p className="text-xs text-muted-foreground">{t('dashboard.lastError')}</p>
              <pre className="mt-1 overflow-x-auto rounded-md bg-muted p-3 text-xs">{s.last_error}</pre>
            </div>
          )}
          {status.isError && (
            <div className="mt-6">
              <ErrorState title={t('dashboard.statusError')} error={status.error} />
            </div>
          )}
        </CardContent>
      </Card>

      <Card className="lg:col-span-2">
        <CardHeader className="flex flex-row items-center justify-between">
          <CardTitle>{t('code.dashboard.recentLogs')}</CardTitle>
          <Link to={`/projects/${id}/run`} className="text-sm text-primary hover:underline">
            {t('code.dashboard.allLogs')}
          </Link>
        </CardHeader>
        <CardContent>
          {logs.isPending ? (
            <Skeleton className="h-24 w-full" />
          ) : logs.isError ? (
            <ErrorState title={t('code.logs.loadError')} error={logs.error} onRetry={() => void logs.refetch()} />
          ) : logs.data.lines.length === 0 ? (
            <p className="text-sm text-muted-foreground" data-testid="dash-logs-empty">
              {t('code.logs.empty')}
            </p>
          ) : (
            <pre className="overflow-x-auto rounded-md bg-muted/40 p-3 text-xs leading-5" data-testid="dash-logs">
              {toLogLines(logs.data.lines).map((l, i) => (
                <div key={i} className={cn(l.level === 'ERROR' && 'text-destructive', l.level === 'WARN' && 'text-amber-600 dark:text-amber-400')}>
                  {l.text}
                </div>
              ))}
            </pre>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t('code.dashboard.goals')}</CardTitle>
        </CardHeader>
        <CardContent>
          {goals.isPending ? (
            <Skeleton className="h-16 w-full" />
          ) : goals.isError ? (
            <ErrorState title={t('code.dashboard.goalsError')} error={goals.error} onRetry={() => void goals.refetch()} />
          ) : goals.data.length === 0 ? (
            <p className="text-sm text-muted-foreground">{t('code.dashboard.noGoals')}</p>
          ) : (
            <ul className="divide-y" data-testid="dash-goals">
              {goals.data.map((g) => (
                <li key={g.id} className="flex items-center gap-2 py-2 text-sm">
                  <span className={`size-2.5 rounded-full ${colorClass(g.color)}`} aria-hidden="true" />
                  <span className="flex-1 truncate">{g.name}</span>
                  <span className="font-mono" title={t('code.dashboard.goalTotal')}>
                    {totals.get(g.id) ?? (stats.isPending ? '…' : 0)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {goals.data && goals.data.length > 0 && <p className="mt-2 text-xs text-muted-foreground">{t('code.dashboard.goalPeriod')}</p>}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t('code.dashboard.work')}</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          {!s ? (
            <Skeleton className="h-16 w-full" />
          ) : (
            <>
              <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="dash-tasks">
                <Fact label={t('code.dashboard.tasksRunning')}>{s.tasks.running}</Fact>
                <Fact label={t('code.dashboard.tasksQueued')}>{s.tasks.queued}</Fact>
                <Fact label={t('code.dashboard.tasksDone')}>{s.tasks.done}</Fact>
                <Fact label={t('code.dashboard.tasksFailed')}>{s.tasks.failed}</Fact>
              </dl>
              {s.schedules.length === 0 ? (
                <p className="text-sm text-muted-foreground">{t('code.dashboard.noSchedules')}</p>
              ) : (
                <div className="overflow-x-auto">
                  <table className="w-full text-left text-sm" data-testid="dash-schedules">
                    <caption className="sr-only">{t('code.dashboard.schedules')}</caption>
                    <thead className="text-xs text-muted-foreground">
                      <tr>
                        <th className="py-1 pr-2 font-medium">{t('code.dashboard.expression')}</th>
                        <th className="py-1 pr-2 font-medium">{t('code.dashboard.nextRun')}</th>
                        <th className="py-1 pr-2 font-medium">{t('code.dashboard.runs')}</th>
                        <th className="py-1 font-medium">{t('code.dashboard.errors')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.schedules.map((j) => (
                        <tr key={j.id} className="border-t">
                          <td className="py-1 pr-2 font-mono">{j.expression}</td>
                          <td className="py-1 pr-2">{formatDate(j.next_run, lang)}</td>
                          <td className="py-1 pr-2">{j.runs}</td>
                          <td className={cn('py-1', j.errors > 0 && 'text-destructive')}>{j.errors}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
