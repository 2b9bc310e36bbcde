import { useState } from 'react';
import { FolderPlusIcon, PlusIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useProjects } from '@/api/projects';
import { ErrorState } from '@/components/ErrorState';
import { ProjectStatusBadge } from '@/components/ProjectStatusBadge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { ProjectAvatar } from '@/components/ProjectAvatar';
import { CreateProjectDialog } from './CreateProjectDialog';

export default function ProjectsPage() {
  const { t } = useTranslation();
  const projects = useProjects();
  const items = projects.data?.items ?? [];
  const [creating, setCreating] = useState(false);
  const newButton = (
    <Button data-testid="new-project" onClick={() => setCreating(true)} aria-haspopup="dialog">
      <PlusIcon aria-hidden="true" />
      {t('projects.new')}
    </Button>
  );

  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t('projects.title')}</h1>
          <p className="text-sm text-muted-foreground">{t('projects.subtitle')}</p>
        </div>
        {items.length > 0 && newButton}
      </div>

      {projects.isPending && (
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="projects-loading" aria-busy="true">
          {[0, 1, 2].map((i) => (
            <Card key={i} className="space-y-3 p-5">
              <Skeleton className="h-5 w-2/3" />
              <Skeleton className="h-4 w-1/3" />
              <Skeleton className="h-5 w-20" />
            </Card>
          ))}
        </div>
      )}

      {projects.isError && (
        <ErrorState title={t('projects.loadError')} error={projects.error} onRetry={() => void projects.refetch()} />
      )}

      {projects.isSuccess && items.length === 0 && (
        <Card className="flex flex-col items-center gap-3 px-6 py-16 text-center" data-testid="projects-empty">
          <div className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
            <FolderPlusIcon className="size-6" aria-hidden="true" />
          </div>
          <h2 className="text-lg font-semibold">{t('projects.emptyTitle')}</h2>
          <p className="max-w-sm text-sm text-muted-foreground">{t('projects.emptyText')}</p>
          {newButton}
        </Card>
      )}

      {items.length > 0 && (
        <>
          <p className="text-sm text-muted-foreground">{t('projects.count', { count: projects.data?.total_items ?? items.length })}</p>
          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="projects-list">
            {items.map((p) => (
              <li key={p.id}>
                <Link
                  to={`/projects/${p.id}`}
                  title={t('projects.open', { name: p.name })}
                  className="group block rounded-xl outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                >
                  <Card className="h-full overflow-hidden transition-colors group-hover:border-primary/50" data-testid="project-card">
                    <div className="space-y-3 p-5">
                      <div className="flex items-start justify-between gap-2">
                        <div className="flex min-w-0 items-center gap-3">
                          <ProjectAvatar name={p.name} color={p.color} />
                          <div className="min-w-0">
                            <h2 className="truncate font-semibold">{p.name}</h2>
                            <p className="truncate font-mono text-xs text-muted-foreground">/r/{p.slug}</p>
                          </div>
                        </div>
                        <ProjectStatusBadge state={p.status} />
                      </div>
                      <p className="text-xs text-muted-foreground">
                        {p.active_release ? t('projects.release', { version: p.active_release }) : t('projects.noRelease')}
                      </p>
                    </div>
                  </Card>
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <CreateProjectDialog open={creating} setOpen={setCreating} />
    </div>
  );
}
