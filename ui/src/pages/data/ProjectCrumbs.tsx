import { ChevronRightIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useProject } from '@/api/projects';

// Breadcrumbs of the data and goals pages: Projects › <project> › … .
export function ProjectCrumbs({ projectId, items }: { projectId: string; items: { label: string; to?: string }[] }) {
  const { t } = useTranslation();
  const project = useProject(projectId);
  const all = [
    { label: t('nav.projects'), to: '/projects' },
    { label: project.data?.name ?? '…', to: `/projects/${projectId}` },
    ...items,
  ];
  return (
    <nav aria-label={t('data.breadcrumbs')}>
      <ol className="flex flex-wrap items-center gap-1 text-sm text-muted-foreground">
        {all.map((c, i) => (
          <li key={i} className="flex items-center gap-1">
            {i > 0 && <ChevronRightIcon className="size-3.5" aria-hidden="true" />}
            {c.to && i < all.length - 1 ? (
              <Link to={c.to} className="rounded hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 outline-none">
                {c.label}
              </Link>
            ) : (
              <span aria-current={i === all.length - 1 ? 'page' : undefined} className="text-foreground">
                {c.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
