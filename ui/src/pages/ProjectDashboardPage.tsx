import type { ReactNode } from 'react';
import { ArrowLeftIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useProject, useProjectStatus } from '@/api/projects';
import { ErrorState } from '@/components/ErrorState';
import { ProjectStatusBadge } from '@/components/ProjectStatusBadge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { colorClass } from '@/lib/colors';
import { ProjectAdminLinks } from '@/pages/admin/ProjectAdminLinks';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm font-medium">{children}</dd>
    </div>
  );
}

function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// A stub for now: the project's identity and run state. Later pages (code,
// run control, logs, data, files, goals) hang off this one.
export default function ProjectDashboardPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const project = useProject(id);
  const status = useProjectStatus(id);

  const back = (
    <Link to="/projects" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeftIcon className="size-4" aria-hidden="true" />
      {t('nav.projects')}
    </Link>
  );

  if (project.isPending)
    return (
      <div className="mx-auto max-w-5xl space-y-6" aria-busy="true">
        {back}
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  if (project.isError)
    return (
      <div className="mx-auto max-w-5xl space-y-6">
        {back}
        <ErrorState title={t('dashboard.loadError')} error={project.error} onRetry={() => void project.refetch()} />
      </div>
    );

  const p = project.data;
  const s = status.data;
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <div className="mx-auto max-w-5xl space-y-6">
      {back}
      <div className="flex flex-wrap items-center gap-3">
        <span className={`size-3 rounded-full ${colorClass(p.color)}`} aria-hidden="true" />
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="project-title">
          {p.name}
        </h1>
        <ProjectStatusBadge state={s?.state ?? p.status} />
      </div>
      <ProjectAdminLinks projectId={p.id} />
      <Card>
        <CardHeader>
          <CardTitle>{t('dashboard.overview')}</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
            <Fact label={t('dashboard.publicUrl')}>
              <span className="font-mono">/r/{p.slug}/</span>
            </Fact>
            <Fact label={t('dashboard.activeRelease')}>{p.active_release ?? t('projects.noRelease')}</Fact>
            <Fact label={t('dashboard.autoStart')}>{p.auto_start ? t('dashboard.on') : t('dashboard.off')}</Fact>
            <Fact label={t('dashboard.runState')}>
              {status.isPending ? <Skeleton className="h-5 w-20" /> : s ? t(`projects.status.${s.state}`) : '—'}
            </Fact>
            {s?.started_at && <Fact label={t('dashboard.startedAt')}>{dateFmt.format(new Date(s.started_at))}</Fact>}
            {s && s.state === 'running' && <Fact label={t('dashboard.heap')}>{formatBytes(s.heap_used)}</Fact>}
            {s && s.state === 'running' && <Fact label={t('dashboard.calls')}>{s.calls}</Fact>}
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
      <p className="text-sm text-muted-foreground">{t('dashboard.comingSoon')}</p>
    </div>
  );
}
