import { useCallback, useState } from 'react';
import { XIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { adminKeys, uploadFiles } from '@/api/admin';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { percent } from '@/lib/admin/files';
import { errorMessage } from '@/lib/error-message';

export interface Upload {
  id: number;
  names: string[];
  loaded: number;
  total: number;
  error?: unknown;
  done?: boolean;
  abort: () => void;
}

let uploadSeq = 0;

// Uploads into the folder shown, each with its progress; a finished one says so in a toast.
export function useUploads(projectId: string, folder: string) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (uid: number, f: (u: Upload) => Upload) => setUploads((us) => us.map((u) => (u.id === uid ? f(u) : u)));
  const start = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const uid = ++uploadSeq;
      const total = files.reduce((n, f) => n + f.size, 0);
      const job = uploadFiles(projectId, folder, files, (p) => patch(uid, (u) => ({ ...u, loaded: p.loaded, total: p.total || total })));
      setUploads((us) => [...us, { id: uid, names: files.map((f) => f.name), loaded: 0, total, abort: job.abort }]);
      job.promise.then(
        () => {
          patch(uid, (u) => ({ ...u, loaded: u.total, done: true }));
          toast.success(t('admin.files.uploadedToast', { count: files.length, name: files[0]!.name }));
          void qc.invalidateQueries({ queryKey: adminKeys.storage(projectId) });
          setTimeout(() => setUploads((us) => us.filter((u) => u.id !== uid)), 3000);
        },
        (error: unknown) => patch(uid, (u) => ({ ...u, error })),
      );
    },
    [projectId, folder, qc, t],
  );
  const dismiss = (u: Upload) => {
    if (!u.error && !u.done) u.abort();
    setUploads((us) => us.filter((x) => x.id !== u.id));
  };
  return { uploads, start, dismiss };
}

export function UploadList({ uploads, onDismiss }: { uploads: Upload[]; onDismiss: (u: Upload) => void }) {
  const { t } = useTranslation();
  if (uploads.length === 0) return null;
  return (
    <ul className="space-y-2" aria-label={t('admin.files.uploads')}>
      {uploads.map((u) => {
        const pct = percent(u.loaded, u.total);
        const label = u.names.length === 1 ? u.names[0]! : t('admin.files.nFiles', { count: u.names.length });
        return (
          <li key={u.id} className="rounded-lg border p-3 text-sm" data-testid="upload">
            <div className="flex items-center justify-between gap-2">
              <span className="truncate font-medium">{label}</span>
              <span className="flex items-center gap-2 text-xs text-muted-foreground">
                {u.error ? null : u.done ? t('admin.files.uploaded') : `${pct}%`}
                {(u.error || !u.done) && (
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-7"
                    aria-label={u.error ? t('common.close') : t('admin.files.cancelUpload')}
                    onClick={() => onDismiss(u)}
                  >
                    <XIcon aria-hidden="true" />
                  </Button>
                )}
              </span>
            </div>
            {u.error ? (
              <p className="mt-1 text-destructive" role="alert">
                {errorMessage(t, u.error)}
              </p>
            ) : (
              <div
                className="mt-2 h-1.5 overflow-hidden rounded-full bg-muted"
                role="progressbar"
                aria-label={t('admin.files.uploading', { name: label })}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
              >
                <div className="h-full bg-primary transition-[width]" style={{ width: `${pct}%` }} />
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
