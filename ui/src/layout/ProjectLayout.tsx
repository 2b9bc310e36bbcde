import { ArrowLeftIcon } from 'lucide-react';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useParams } from 'react-router-dom';
import { useProject, useProjectStatus } from '@/api/projects';
import { ErrorState } from '@/components/ErrorState';
import { PageSpinner } from '@/components/PageSpinner';
import { ProjectStatusBadge } from '@/components/ProjectStatusBadge';
import { Skeleton } from '@/components/ui/skeleton';
import { ProjectAvatar } from '@/components/ProjectAvatar';
import { cn } from '@/lib/utils';
import { PROJECT_NAV } from './projectNav';

// The frame of a project's pages: back link, title with the run state, and the
// project's tabs (PROJECT_NAV); the page in the outlet.
export default function ProjectLayout() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
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
      <div className="mx-auto max-w-7xl space-y-6" aria-busy="true">
        {back}
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  if (project.isError)
    return (
      <div className="mx-auto max-w-7xl space-y-6">
        {back}
        <ErrorState title={t('dashboard.loadError')} error={project.error} onRetry={() => void project.refetch()} />
      </div>
    );

  const p = project.data;
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      {back}
      <div className="flex flex-wrap items-center gap-3">
        <ProjectAvatar name={p.name} color={p.color} />
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="project-title">
          {p.name}
        </h1>
        <ProjectStatusBadge state={status.data?.state ?? p.status} />
      </div>
      <nav aria-label={t('code.nav.label')} className="-mx-1 overflow-x-auto border-b">
        <ul className="flex min-w-max gap-1 px-1">
          {PROJECT_NAV.map(({ to, icon: Icon, label, end }) => (
            <li key={to}>
              <NavLink
                to={to ? `/projects/${id}/${to}` : `/projects/${id}`}
                end={end}
                data-testid={`project-tab-${to || 'dashboard'}`}
                className={({ isActive }) =>
                  cn(
                    '-mb-px flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
                    isActive
                      ? 'border-primary text-foreground'
                      : 'border-transparent text-muted-foreground hover:border-muted-foreground/40 hover:text-foreground',
                  )
                }
              >
                <Icon className="size-4" aria-hidden="true" />
                {t(label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Suspense fallback={<PageSpinner />}>
        <Outlet />
      </Suspense>
    </div>
  );
}
