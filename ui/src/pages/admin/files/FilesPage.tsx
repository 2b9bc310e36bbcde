import { useRef, useState, type DragEvent } from 'react';
import { FilePlusIcon, FolderPlusIcon, UploadIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router-dom';
import {
  fetchStorageBlob,
  linkTokens,
  storageApi,
  useFolder,
  useStorageAction,
  useStorageUsage,
  type StorageEntry,
  type StorageLink,
} from '@/api/admin';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { formatBytes, isText, joinPath, nameProblem, normalizePath, targetProblem } from '@/lib/admin/files';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';
import { ProjectPageHeader } from '../parts';
import { Breadcrumbs } from './Breadcrumbs';
import { EditDialog } from './EditDialog';
import { FileTable, type EntryAction } from './FileTable';
import { LinkDialog, LinksCard } from './Links';
import { PathDialog } from './PathDialog';
import { UploadList, useUploads } from './Uploads';

type Dialogs =
  | { kind: 'mkdir' | 'newFile' }
  | { kind: 'rename' | 'delete' | 'edit'; entry: StorageEntry }
  | { kind: 'link'; link: StorageLink }
  | null;

// The project's file storage: a folder's entries, uploads (button or drag and
// drop), text files in Monaco, rename/move, delete, public links.
export default function FilesPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const path = normalizePath(params.get('path') ?? '');
  const folder = useFolder(id, path);
  const usage = useStorageUsage(id);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const { uploads, start, dismiss } = useUploads(id, path);
  const items = folder.data?.items ?? [];
  const close = () => setDialog(null);
  const go = (p: string) => setParams(p ? { path: p } : {});

  const createLink = useStorageAction(id, (p: string) => storageApi.createLink(id, p));
  const create = useStorageAction(id, (a: { kind: 'mkdir' | 'newFile'; path: string }) =>
    a.kind === 'mkdir' ? storageApi.mkdir(id, a.path) : storageApi.createText(id, a.path, ''),
  );
  const rename = useStorageAction(id, (a: { from: string; to: string }) => storageApi.rename(id, a.from, a.to));
  const remove = useStorageAction(id, (p: string) => storageApi.remove(id, p));

  async function download(entry: StorageEntry) {
    try {
      const blob = await fetchStorageBlob(id, 'download', entry.path);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = entry.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      toast.error(errorMessage(t, e));
    }
  }

  function onAction(action: EntryAction, entry: StorageEntry) {
    if (action === 'open') {
      if (entry.is_dir) go(entry.path);
      else if (isText(entry)) setDialog({ kind: 'edit', entry });
      else void download(entry);
    } else if (action === 'download') void download(entry);
    else if (action === 'share')
      createLink.mutate(entry.path, {
        onSuccess: (link) => {
          if (link.token) linkTokens.set(id, link, link.token);
          setDialog({ kind: 'link', link });
        },
        onError: (e) => toast.error(errorMessage(t, e)),
      });
    else setDialog({ kind: action, entry });
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    start([...e.dataTransfer.files]);
  };
  const hasFiles = (e: DragEvent) => [...e.dataTransfer.types].includes('Files');

  const toolbar = (
    <>
      <Button variant="outline" onClick={() => setDialog({ kind: 'mkdir' })} aria-haspopup="dialog" data-testid="files-mkdir">
        <FolderPlusIcon aria-hidden="true" />
        {t('admin.files.newFolder')}
      </Button>
      <Button variant="outline" onClick={() => setDialog({ kind: 'newFile' })} aria-haspopup="dialog" data-testid="files-new-file">
        <FilePlusIcon aria-hidden="true" />
        {t('admin.files.newFile')}
      </Button>
      <Button onClick={() => fileInput.current?.click()} data-testid="files-upload">
        <UploadIcon aria-hidden="true" />
        {t('admin.files.upload')}
      </Button>
      <input
        ref={fileInput}
        type="file"
        multiple
        className="hidden"
        aria-label={t('admin.files.upload')}
        data-testid="files-input"
        onChange={(e) => {
          start([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );

  const creating = dialog?.kind === 'mkdir' || dialog?.kind === 'newFile' ? dialog.kind : null;
  const entry = dialog && 'entry' in dialog ? dialog.entry : null;
  return (
    <div className="space-y-6">
      <ProjectPageHeader title={t('admin.files.title')} actions={toolbar} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <Breadcrumbs path={path} />
        {usage.data && (
          <p className="text-xs text-muted-foreground" data-testid="files-usage">
            {t('admin.files.usage', { size: formatBytes(usage.data.bytes, i18n.resolvedLanguage), files: usage.data.files, folders: usage.data.folders })}
          </p>
        )}
      </div>

      <UploadList uploads={uploads} onDismiss={dismiss} />

      <Card
        className={cn('relative min-h-64 overflow-hidden', dragging && 'border-primary ring-2 ring-primary/40')}
        data-testid="dropzone"
        onDragEnter={(e) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          dragDepth.current++;
          setDragging(true);
        }}
        onDragOver={(e) => {
          if (hasFiles(e)) e.preventDefault();
        }}
        onDragLeave={() => {
          dragDepth.current = Math.max(0, dragDepth.current - 1);
          if (dragDepth.current === 0) setDragging(false);
        }}
        onDrop={onDrop}
      >
        {dragging && (
          <div className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center bg-background/85 text-sm font-medium text-primary">
            <UploadIcon className="mr-2 size-5" aria-hidden="true" />
            {t('admin.files.dropHere')}
          </div>
        )}
        {folder.isPending && (
          <div className="space-y-3 p-5" aria-busy="true">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} className="h-8 w-full" />
            ))}
          </div>
        )}
        {folder.isError && (
          <div className="p-5">
            <ErrorState title={t('admin.files.loadError')} error={folder.error} onRetry={() => void folder.refetch()} />
          </div>
        )}
        {folder.isSuccess && items.length === 0 && (
          <div className="flex flex-col items-center gap-3 px-6 py-16 text-center" data-testid="files-empty">
            <div className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
              <UploadIcon className="size-6" aria-hidden="true" />
            </div>
            <h2 className="text-lg font-semibold">{path ? t('admin.files.emptyFolder') : t('admin.files.emptyTitle')}</h2>
            <p className="max-w-sm text-sm text-muted-foreground">{t('admin.files.emptyText')}</p>
          </div>
        )}
        {items.length > 0 && (
          <>
            <FileTable projectId={id} items={items} onAction={onAction} />
            <p className="border-t px-4 py-2 text-xs text-muted-foreground">{t('admin.files.dropHint')}</p>
          </>
        )}
      </Card>

      <LinksCard projectId={id} onShow={(link) => setDialog({ kind: 'link', link })} />

      <PathDialog
        open={creating !== null}
        title={creating === 'newFile' ? t('admin.files.newFile') : t('admin.files.newFolder')}
        description={t('admin.files.inFolder', { folder: path || '/' })}
        label={t('admin.files.name')}
        placeholder={creating === 'newFile' ? 'notes.md' : undefined}
        validate={nameProblem}
        submitLabel={t('common.create')}
        submitTestId="files-name-submit"
        inputId="files-name"
        onClose={close}
        onSubmit={(name) => {
          const kind = creating!;
          const p = joinPath(path, name);
          return create.mutateAsync({ kind, path: p }).then(() => {
            toast.success(t(kind === 'mkdir' ? 'admin.files.folderCreated' : 'admin.files.fileCreated', { name }));
            if (kind === 'mkdir') {
              close();
              go(p);
            } else setDialog({ kind: 'edit', entry: { name, path: p, is_dir: false, size: 0, mime_type: 'text/plain', modified: '' } });
          });
        }}
      />
      <PathDialog
        open={dialog?.kind === 'rename'}
        title={t('admin.files.renameTitle', { name: entry?.name ?? '' })}
        description={t('admin.files.renameText')}
        label={t('admin.files.newPath')}
        initial={entry?.path ?? ''}
        mono
        validate={targetProblem}
        submitLabel={t('admin.files.renameMove')}
        submitTestId="files-rename-submit"
        inputId="files-target"
        onClose={close}
        onSubmit={(to) => {
          const target = normalizePath(to);
          if (!entry || target === entry.path) return void close();
          return rename.mutateAsync({ from: entry.path, to: target }).then(() => {
            toast.success(t('admin.files.moved', { name: entry.name, path: target }));
            close();
          });
        }}
      />
      {dialog?.kind === 'edit' && <EditDialog projectId={id} entry={dialog.entry} onClose={close} />}
      {dialog?.kind === 'link' && <LinkDialog projectId={id} link={dialog.link} onClose={close} />}
      <ConfirmDialog
        open={dialog?.kind === 'delete'}
        onOpenChange={(o) => !o && close()}
        title={entry?.is_dir ? t('admin.files.deleteFolderTitle') : t('admin.files.deleteTitle')}
        description={entry ? t(entry.is_dir ? 'admin.files.deleteFolderText' : 'admin.files.deleteText', { name: entry.name }) : ''}
        confirmLabel={t('admin.common.delete')}
        onConfirm={() =>
          entry && remove.mutateAsync(entry.path).then(() => toast.success(t('admin.files.deleted', { name: entry.name })))
        }
      />
    </div>
  );
}
