import { lazy, Suspense, useState } from 'react';
import { Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { storageApi, useStorageAction, useTextFile, type StorageEntry } from '@/api/admin';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { languageFor } from '@/lib/admin/languages';
import { errorMessage } from '@/lib/error-message';
import { useTheme } from '@/theme';

// Monaco and its workers load with the first file opened (the code page shares them).
const TextEditor = lazy(() => import('./TextEditor'));

export function EditDialog({ projectId, entry, onClose }: { projectId: string; entry: StorageEntry; onClose: () => void }) {
  const { t } = useTranslation();
  const { resolved } = useTheme();
  const file = useTextFile(projectId, entry.path);
  const [content, setContent] = useState<string | null>(null);
  const save = useStorageAction(projectId, (c: string) => storageApi.saveText(projectId, entry.path, c));
  const text = content ?? file.data?.content ?? '';
  const dirty = content !== null && content !== file.data?.content;
  const language = languageFor(entry.name);
  const doSave = () => {
    if (!file.isSuccess || save.isPending || !dirty) return;
    save.mutate(text, {
      onSuccess: () => {
        toast.success(t('admin.files.savedToast', { name: entry.name }));
        void file.refetch().then(() => setContent(null));
      },
    });
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-5xl" data-testid="file-dialog">
        <DialogHeader>
          <DialogTitle className="font-mono">{entry.path}</DialogTitle>
          <DialogDescription>
            {t('admin.files.editText')} <span data-testid="file-language">{t('admin.files.language', { language })}</span>
          </DialogDescription>
        </DialogHeader>
        {file.isPending && <Skeleton className="h-[60vh] w-full" />}
        {file.isError && <ErrorState title={t('admin.files.readError')} error={file.error} onRetry={() => void file.refetch()} />}
        {file.isSuccess && (
          <form
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              doSave();
            }}
          >
            <div className="h-[60vh] overflow-hidden rounded-md border">
              <Suspense fallback={<Skeleton className="h-full w-full" />}>
                <TextEditor
                  path={entry.path}
                  value={text}
                  language={language}
                  onChange={setContent}
                  onSave={doSave}
                  dark={resolved === 'dark'}
                  ariaLabel={t('admin.files.contentOf', { name: entry.name })}
                />
              </Suspense>
            </div>
            {save.error ? <Alert variant="destructive">{errorMessage(t, save.error)}</Alert> : null}
            <DialogFooter className="items-center">
              <span className="mr-auto text-xs text-muted-foreground" aria-live="polite" data-testid="file-save-state">
                {dirty ? t('admin.files.unsaved') : ''}
              </span>
              <Button variant="outline" onClick={onClose}>
                {t('common.close')}
              </Button>
              <Button type="submit" disabled={save.isPending || !dirty} data-testid="file-save">
                {save.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
                {t('admin.common.save')}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
