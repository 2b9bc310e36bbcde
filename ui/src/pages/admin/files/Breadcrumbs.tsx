import { ChevronRightIcon, HomeIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { breadcrumbs } from '@/lib/admin/files';

export const folderHref = (p: string) => (p ? `?path=${encodeURIComponent(p)}` : '?');

// The way from the storage's root (a house: the page's heading already says
// "Files") down to the folder shown.
export function Breadcrumbs({ path }: { path: string }) {
  const { t } = useTranslation();
  const root = (
    <>
      <HomeIcon className="size-4" aria-hidden="true" />
      <span className="sr-only">{t('admin.files.root')}</span>
    </>
  );
  return (
    <nav aria-label={t('admin.files.breadcrumbs')}>
      <ol className="flex flex-wrap items-center gap-1 text-sm" data-testid="breadcrumbs">
        {breadcrumbs(path).map((c, i, all) => (
          <li key={c.path} className="flex items-center gap-1">
            {i > 0 && <ChevronRightIcon className="size-4 text-muted-foreground" aria-hidden="true" />}
            {i === all.length - 1 ? (
              <span aria-current="page" className="inline-flex items-center gap-1 font-medium">
                {c.name || root}
              </span>
            ) : (
              <Link
                to={folderHref(c.path)}
                className="inline-flex items-center gap-1 rounded text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {c.name || root}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
