import { useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchStorageBlob } from '@/api/admin';
import { PROJECT_COLOR_NAMES, PROJECT_COLORS, type ProjectColor } from '@/lib/colors';
import { cn } from '@/lib/utils';

// Pieces of the admin pages (the form controls they share with every page are in components/ui).

export function ColorPicker({ value, onChange, legend }: { value: ProjectColor | null; onChange: (c: ProjectColor | null) => void; legend: string }) {
  const { t } = useTranslation();
  const name = useId();
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {[null, ...PROJECT_COLOR_NAMES].map((c) => {
          const label = c ? t(`colors.${c}`) : t('createProject.noColor');
          return (
            <label key={c ?? 'none'} title={label} className="cursor-pointer">
              <input type="radio" name={name} className="peer sr-only" checked={value === c} onChange={() => onChange(c)} aria-label={label} />
              <span
                className={cn(
                  'block size-7 rounded-full border-2 border-transparent ring-offset-2 ring-offset-background transition peer-checked:ring-2 peer-checked:ring-foreground peer-focus-visible:ring-2 peer-focus-visible:ring-ring',
                  c ? PROJECT_COLORS[c] : 'border-dashed border-muted-foreground/60',
                )}
              />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

// The heading of a project's sub-page (the project's layout above it has the
// way back, the project's name as the h1 and the tabs): the title and actions.
export function ProjectPageHeader({ title, actions }: { projectId?: string; title: string; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <h2 className="text-xl font-semibold tracking-tight">{title}</h2>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

// An image of the project's storage fetched with the session's token.
export function StorageImage({
  projectId,
  path,
  version,
  kind = 'thumbnail',
  className,
  alt,
  fallback,
}: {
  projectId: string;
  path: string;
  version: string;
  kind?: 'thumbnail' | 'download';
  className?: string;
  alt: string;
  fallback: ReactNode;
}) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    let objectUrl: string | null = null;
    setFailed(false);
    fetchStorageBlob(projectId, kind, path, ctrl.signal).then(
      (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => {
        if (!ctrl.signal.aborted) setFailed(true);
      },
    );
    return () => {
      ctrl.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [projectId, path, version, kind]);
  if (failed || !url) return <>{fallback}</>;
  return <img src={url} alt={alt} className={className} data-testid={kind === 'thumbnail' ? 'thumbnail' : 'preview'} />;
}
