import { useEffect, useState, type ReactNode } from 'react';
import { fetchStorageBlob } from '@/api/admin';

// Pieces of the admin pages (the form controls they share with every page are in components/ui).

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
