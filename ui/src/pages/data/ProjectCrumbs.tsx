import { ChevronRightIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

// Breadcrumbs inside the data tab (Data › <model> › Schema); the project's
// layout shows the way back to the projects and the project itself. A single
// item is the tab itself: nothing to show.
export function ProjectCrumbs({ items }: { projectId?: string; items: { label: string; to?: string }[] }) {
  const { t } = useTranslation();
  const all = items;
  if (all.length < 2) return null;
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
