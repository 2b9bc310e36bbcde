import { DatabaseIcon, PlusIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useModels } from '@/api/data';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { ProjectCrumbs } from './ProjectCrumbs';

// The project's models: open one (its records), or create one in the builder.
export default function ModelsPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const models = useModels(id);
  const items = models.data?.items ?? [];
  const newButton = (
    <Button asChild data-testid="new-model">
      <Link to={`/projects/${id}/data/new`}>
        <PlusIcon aria-hidden="true" />
        {t('data.models.new')}
      </Link>
    </Button>
  );
  return (
    <div className="space-y-6">
      <ProjectCrumbs projectId={id} items={[{ label: t('data.models.title') }]} />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h2 className="text-xl font-semibold tracking-tight">{t('data.models.title')}</h2>
          <p className="text-sm text-muted-foreground">{t('data.models.subtitle')}</p>
        </div>
        {items.length > 0 && newButton}
      </div>
      {models.isPending && (
        <div className="grid gap-3 sm:grid-cols-2" aria-busy="true">
          {[0, 1].map((i) => (
            <Skeleton key={i} className="h-24 w-full" />
          ))}
        </div>
      )}
      {models.isError && <ErrorState title={t('data.models.loadError')} error={models.error} onRetry={() => void models.refetch()} />}
      {models.isSuccess && items.length === 0 && (
        <Card className="flex flex-col items-center gap-3 px-6 py-16 text-center" data-testid="models-empty">
          <div className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
            <DatabaseIcon className="size-6" aria-hidden="true" />
          </div>
          <h3 className="text-lg font-semibold">{t('data.models.emptyTitle')}</h3>
          <p className="max-w-sm text-sm text-muted-foreground">{t('data.models.emptyText')}</p>
          {newButton}
        </Card>
      )}
      {items.length > 0 && (
        <ul className="grid gap-3 sm:grid-cols-2" data-testid="models-list">
          {items.map((m) => (
            <li key={m.id}>
              <Link
                to={`/projects/${id}/data/${encodeURIComponent(m.name)}`}
                className="group block rounded-xl outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                <Card className="h-full space-y-2 p-5 transition-colors group-hover:border-primary/50" data-testid="model-card">
                  <div className="flex items-center gap-2">
                    <DatabaseIcon className="size-4 text-muted-foreground" aria-hidden="true" />
                    <h3 className="truncate font-mono font-semibold">{m.name}</h3>
                  </div>
                  {m.description && <p className="line-clamp-2 text-sm text-muted-foreground">{m.description}</p>}
                  <p className="truncate text-xs text-muted-foreground">
                    {t('data.models.fieldCount', { count: m.fields.length })}
                    {m.fields.length > 0 && ': ' + m.fields.map((f) => f.key).join(', ')}
                  </p>
                </Card>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
