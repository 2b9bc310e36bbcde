import { useCallback, useRef, useState, type DragEvent } from 'react';
import {
  ChevronRightIcon,
  DownloadIcon,
  FileIcon,
  FilePlusIcon,
  FileTextIcon,
  FolderIcon,
  FolderPlusIcon,
  HomeIcon,
  ImageIcon,
  LinkIcon,
  Loader2Icon,
  MoreHorizontalIcon,
  PencilIcon,
  Trash2Icon,
  UploadIcon,
  XIcon,
} from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import {
  adminKeys,
  fetchStorageBlob,
  linkTokens,
  storageApi,
  uploadFiles,
  useFolder,
  useStorageAction,
  useStorageLinks,
  useStorageUsage,
  useTextFile,
  type StorageEntry,
  type StorageLink,
} from '@/api/admin';
import { baseUrl } from '@/api/client';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { breadcrumbs, formatBytes, isImage, isText, joinPath, nameProblem, normalizePath, percent, targetProblem } from '@/lib/admin/files';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';
import { ConfirmDialog, CopyButton, FieldError, ProjectPageHeader, StorageImage, Textarea } from './parts';

interface Upload {
  id: number;
  names: string[];
  loaded: number;
  total: number;
  error?: unknown;
  done?: boolean;
  abort: () => void;
}

type Dialogs =
  | { kind: 'mkdir' }
  | { kind: 'newFile' }
  | { kind: 'rename'; entry: StorageEntry }
  | { kind: 'delete'; entry: StorageEntry }
  | { kind: 'edit'; entry: StorageEntry }
  | { kind: 'link'; link: StorageLink }
  | null;

let uploadSeq = 0;

export default function FilesPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const path = normalizePath(params.get('path') ?? '');
  const folder = useFolder(id, path);
  const usage = useStorageUsage(id);
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const lang = i18n.resolvedLanguage;
  const dateFmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const items = folder.data?.items ?? [];

  const go = (p: string) => setParams(p ? { path: p } : {});
  const linkTo = (p: string) => (p ? `?path=${encodeURIComponent(p)}` : '?');

  const createLink = useStorageAction(id, (p: string) => storageApi.createLink(id, p));
  const remove = useStorageAction(id, (p: string) => storageApi.remove(id, p));

  const startUpload = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const uid = ++uploadSeq;
      const total = files.reduce((n, f) => n + f.size, 0);
      const job = uploadFiles(id, path, files, (p) =>
        setUploads((us) => us.map((u) => (u.id === uid ? { ...u, loaded: p.loaded, total: p.total || total } : u))),
      );
      setUploads((us) => [...us, { id: uid, names: files.map((f) => f.name), loaded: 0, total, abort: job.abort }]);
      job.promise.then(
        () => {
          setUploads((us) => us.map((u) => (u.id === uid ? { ...u, loaded: u.total, done: true } : u)));
          void qc.invalidateQueries({ queryKey: adminKeys.storage(id) });
          setTimeout(() => setUploads((us) => us.filter((u) => u.id !== uid)), 3000);
        },
        (error: unknown) => setUploads((us) => us.map((u) => (u.id === uid ? { ...u, error } : u))),
      );
    },
    [id, path, qc],
  );

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    startUpload([...e.dataTransfer.files]);
  };
  const hasFiles = (e: DragEvent) => [...e.dataTransfer.types].includes('Files');

  async function download(entry: StorageEntry) {
    const blob = await fetchStorageBlob(id, 'download', entry.path);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = entry.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  function open(entry: StorageEntry) {
    if (entry.is_dir) go(entry.path);
    else if (isText(entry)) setDialog({ kind: 'edit', entry });
    else void download(entry);
  }

  function share(entry: StorageEntry) {
    createLink.mutate(entry.path, {
      onSuccess: (link) => {
        if (link.token) linkTokens.set(id, link, link.token);
        setDialog({ kind: 'link', link });
      },
    });
  }

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
          startUpload([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );

  return (
    <div className="space-y-6">
      <ProjectPageHeader projectId={id} title={t('admin.files.title')} actions={toolbar} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <nav aria-label={t('admin.files.breadcrumbs')}>
          <ol className="flex flex-wrap items-center gap-1 text-sm" data-testid="breadcrumbs">
            {breadcrumbs(path).map((c, i, all) => (
              <li key={c.path} className="flex items-center gap-1">
                {i > 0 && <ChevronRightIcon className="size-4 text-muted-foreground" aria-hidden="true" />}
                {i === all.length - 1 ? (
                  <span aria-current="page" className="font-medium">
                    {c.name || t('admin.files.root')}
                  </span>
                ) : (
                  <Link to={linkTo(c.path)} className="inline-flex items-center gap-1 rounded text-muted-foreground hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 outline-none">
                    {i === 0 && <HomeIcon className="size-4" aria-hidden="true" />}
                    {c.name || t('admin.files.root')}
                  </Link>
                )}
              </li>
            ))}
          </ol>
        </nav>
        {usage.data && (
          <p className="text-xs text-muted-foreground" data-testid="files-usage">
            {t('admin.files.usage', { size: formatBytes(usage.data.bytes, lang), files: usage.data.files, folders: usage.data.folders })}
          </p>
        )}
      </div>

      {uploads.length > 0 && (
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
                        onClick={() => {
                          if (!u.error) u.abort();
                          setUploads((us) => us.filter((x) => x.id !== u.id));
                        }}
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
      )}

      {(createLink.error || remove.error) && (
        <Alert variant="destructive">{errorMessage(t, createLink.error ?? remove.error)}</Alert>
      )}

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
          <table className="w-full text-sm" data-testid="files-table">
            <caption className="sr-only">{t('admin.files.title')}</caption>
            <thead className="border-b text-left text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.files.name')}</th>
                <th scope="col" className="hidden px-4 py-3 text-right font-medium sm:table-cell">{t('admin.files.size')}</th>
                <th scope="col" className="hidden px-4 py-3 font-medium md:table-cell">{t('admin.files.modified')}</th>
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">{t('admin.common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.path} className="border-b last:border-0 hover:bg-accent/40" data-testid="file-row" data-name={e.name}>
                  <td className="px-4 py-2">
                    <div className="flex items-center gap-3">
                      <EntryIcon projectId={id} entry={e} />
                      <button
                        type="button"
                        className="truncate rounded text-left font-medium hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50 outline-none"
                        onClick={() => open(e)}
                        data-testid="file-open"
                      >
                        {e.name}
                      </button>
                    </div>
                  </td>
                  <td className="hidden px-4 py-2 text-right text-xs whitespace-nowrap text-muted-foreground sm:table-cell">
                    {e.is_dir ? '—' : formatBytes(e.size, lang)}
                  </td>
                  <td className="hidden px-4 py-2 text-xs whitespace-nowrap text-muted-foreground md:table-cell">
                    {dateFmt.format(new Date(e.modified))}
                  </td>
                  <td className="px-4 py-2 text-right">
                    <DropdownMenu>
                      <DropdownMenuTrigger asChild>
                        <Button variant="ghost" size="icon" aria-label={t('admin.files.actionsFor', { name: e.name })} data-testid="file-actions">
                          <MoreHorizontalIcon aria-hidden="true" />
                        </Button>
                      </DropdownMenuTrigger>
                      <DropdownMenuContent align="end">
                        {isText(e) && (
                          <DropdownMenuItem onSelect={() => setDialog({ kind: 'edit', entry: e })} data-testid="file-edit">
                            <FileTextIcon aria-hidden="true" />
                            {t('admin.files.edit')}
                          </DropdownMenuItem>
                        )}
                        {!e.is_dir && (
                          <DropdownMenuItem onSelect={() => void download(e)}>
                            <DownloadIcon aria-hidden="true" />
                            {t('admin.files.download')}
                          </DropdownMenuItem>
                        )}
                        {!e.is_dir && (
                          <DropdownMenuItem onSelect={() => share(e)} data-testid="file-share">
                            <LinkIcon aria-hidden="true" />
                            {t('admin.files.publicLink')}
                          </DropdownMenuItem>
                        )}
                        <DropdownMenuItem onSelect={() => setDialog({ kind: 'rename', entry: e })} data-testid="file-rename">
                          <PencilIcon aria-hidden="true" />
                          {t('admin.files.renameMove')}
                        </DropdownMenuItem>
                        <DropdownMenuSeparator />
                        <DropdownMenuItem className="text-destructive focus:text-destructive" onSelect={() => setDialog({ kind: 'delete', entry: e })} data-testid="file-delete">
                          <Trash2Icon aria-hidden="true" />
                          {t('admin.common.delete')}
                        </DropdownMenuItem>
                      </DropdownMenuContent>
                    </DropdownMenu>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {items.length > 0 && (
          <p className="border-t px-4 py-2 text-xs text-muted-foreground">{t('admin.files.dropHint')}</p>
        )}
      </Card>

      <LinksCard projectId={id} onShow={(link) => setDialog({ kind: 'link', link })} />

      <NameDialog
        open={dialog?.kind === 'mkdir' || dialog?.kind === 'newFile'}
        kind={dialog?.kind === 'newFile' ? 'newFile' : 'mkdir'}
        projectId={id}
        folder={path}
        onClose={() => setDialog(null)}
        onCreated={(p, kind) => {
          if (kind === 'mkdir') go(p);
          else setDialog({ kind: 'edit', entry: { name: p.split('/').pop()!, path: p, is_dir: false, size: 0, mime_type: 'text/plain', modified: '' } });
        }}
      />
      {dialog?.kind === 'rename' && <RenameDialog projectId={id} entry={dialog.entry} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <EditDialog projectId={id} entry={dialog.entry} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'link' && <LinkDialog projectId={id} link={dialog.link} onClose={() => setDialog(null)} />}
      <ConfirmDialog
        open={dialog?.kind === 'delete'}
        onOpenChange={(o) => {
          if (!o) {
            setDialog(null);
            remove.reset();
          }
        }}
        title={dialog?.kind === 'delete' && dialog.entry.is_dir ? t('admin.files.deleteFolderTitle') : t('admin.files.deleteTitle')}
        description={dialog?.kind === 'delete' ? t(dialog.entry.is_dir ? 'admin.files.deleteFolderText' : 'admin.files.deleteText', { name: dialog.entry.name }) : ''}
        confirmLabel={t('admin.common.delete')}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => {
          if (dialog?.kind === 'delete') remove.mutate(dialog.entry.path, { onSuccess: () => setDialog(null) });
        }}
      />
    </div>
  );
}

function EntryIcon({ projectId, entry }: { projectId: string; entry: StorageEntry }) {
  const box = 'flex size-9 shrink-0 items-center justify-center rounded-md bg-muted text-muted-foreground [&>svg]:size-4';
  if (entry.is_dir)
    return (
      <span className={cn(box, 'bg-primary/10 text-primary')}>
        <FolderIcon aria-hidden="true" />
      </span>
    );
  const icon = isText(entry) ? <FileTextIcon aria-hidden="true" /> : isImage(entry) ? <ImageIcon aria-hidden="true" /> : <FileIcon aria-hidden="true" />;
  if (!isImage(entry)) return <span className={box}>{icon}</span>;
  return (
    <StorageImage
      projectId={projectId}
      path={entry.path}
      version={entry.modified}
      alt=""
      className="size-9 shrink-0 rounded-md border object-cover"
      fallback={<span className={box}>{icon}</span>}
    />
  );
}

function NameDialog({
  open,
  kind,
  projectId,
  folder,
  onClose,
  onCreated,
}: {
  open: boolean;
  kind: 'mkdir' | 'newFile';
  projectId: string;
  folder: string;
  onClose: () => void;
  onCreated: (path: string, kind: 'mkdir' | 'newFile') => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const action = useStorageAction(projectId, (p: string) => (kind === 'mkdir' ? storageApi.mkdir(projectId, p) : storageApi.createText(projectId, p, '')));
  const problem = nameProblem(name);
  const close = () => {
    setName('');
    setSubmitted(false);
    action.reset();
    onClose();
  };
  return (
    <Dialog open={open} onOpenChange={(o) => !o && close()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{kind === 'mkdir' ? t('admin.files.newFolder') : t('admin.files.newFile')}</DialogTitle>
          <DialogDescription>{t('admin.files.inFolder', { folder: folder || '/' })}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (problem) return;
            const p = joinPath(folder, name.trim());
            action.mutate(p, {
              onSuccess: () => {
                close();
                onCreated(p, kind);
              },
            });
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="files-name">{t('admin.files.name')}</Label>
            <Input
              id="files-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder={kind === 'newFile' ? 'notes.md' : undefined}
              aria-invalid={submitted && !!problem}
              aria-describedby={submitted && problem ? 'files-name-error' : undefined}
              autoFocus
              autoComplete="off"
            />
            <FieldError id="files-name-error">{submitted && problem ? t(`admin.files.nameErrors.${problem}`) : undefined}</FieldError>
          </div>
          {action.error ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
          <DialogFooter>
            <Button variant="outline" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={action.isPending} data-testid="files-name-submit">
              {action.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {t('common.create')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function RenameDialog({ projectId, entry, onClose }: { projectId: string; entry: StorageEntry; onClose: () => void }) {
  const { t } = useTranslation();
  const [to, setTo] = useState(entry.path);
  const [submitted, setSubmitted] = useState(false);
  const action = useStorageAction(projectId, (target: string) => storageApi.rename(projectId, entry.path, target));
  const problem = targetProblem(to);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('admin.files.renameTitle', { name: entry.name })}</DialogTitle>
          <DialogDescription>{t('admin.files.renameText')}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (problem) return;
            const target = normalizePath(to.trim());
            if (target === entry.path) return onClose();
            action.mutate(target, { onSuccess: onClose });
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="files-target">{t('admin.files.newPath')}</Label>
            <Input
              id="files-target"
              className="font-mono"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              aria-invalid={submitted && !!problem}
              aria-describedby={submitted && problem ? 'files-target-error' : undefined}
              autoFocus
              autoComplete="off"
            />
            <FieldError id="files-target-error">{submitted && problem ? t(`admin.files.nameErrors.${problem}`) : undefined}</FieldError>
          </div>
          {action.error ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={action.isPending} data-testid="files-rename-submit">
              {action.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {t('admin.files.renameMove')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function EditDialog({ projectId, entry, onClose }: { projectId: string; entry: StorageEntry; onClose: () => void }) {
  const { t } = useTranslation();
  const file = useTextFile(projectId, entry.path);
  const [content, setContent] = useState<string | null>(null);
  const save = useStorageAction(projectId, (c: string) => storageApi.saveText(projectId, entry.path, c));
  const text = content ?? file.data?.content ?? '';
  const dirty = content !== null && content !== file.data?.content;
  const doSave = () => {
    if (!file.isSuccess || save.isPending) return;
    save.mutate(text, {
      onSuccess: () => {
        setContent(null);
        void file.refetch();
      },
    });
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle className="font-mono">{entry.path}</DialogTitle>
          <DialogDescription>{t('admin.files.editText')}</DialogDescription>
        </DialogHeader>
        {file.isPending && <Skeleton className="h-80 w-full" />}
        {file.isError && <ErrorState title={t('admin.files.readError')} error={file.error} onRetry={() => void file.refetch()} />}
        {file.isSuccess && (
          <form
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              doSave();
            }}
          >
            <Label htmlFor="file-content" className="sr-only">
              {t('admin.files.content')}
            </Label>
            <Textarea
              id="file-content"
              className="h-80 font-mono text-xs"
              value={text}
              spellCheck={false}
              onChange={(e) => setContent(e.target.value)}
              onKeyDown={(e) => {
                if ((e.ctrlKey || e.metaKey) && e.key === 's') {
                  e.preventDefault();
                  doSave();
                }
              }}
              data-testid="file-content"
            />
            {save.error ? <Alert variant="destructive">{errorMessage(t, save.error)}</Alert> : null}
            <DialogFooter className="items-center">
              <span className="mr-auto text-xs text-muted-foreground" aria-live="polite" data-testid="file-save-state">
                {save.isSuccess && !dirty ? t('admin.files.saved') : dirty ? t('admin.files.unsaved') : ''}
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

// The link's address: from the answer that created it, else from a token this browser kept.
function publicUrl(link: StorageLink, token: string | undefined): string | null {
  if (link.url) return new URL(link.url, baseUrl).toString();
  if (!token) return null;
  const name = encodeURIComponent(link.path.split('/').pop() ?? '');
  return `${baseUrl}/api/storage/public/${encodeURIComponent(token)}/${name}`;
}

function LinkDialog({ projectId, link, onClose }: { projectId: string; link: StorageLink; onClose: () => void }) {
  const { t } = useTranslation();
  const token = link.token ?? linkTokens.get(projectId, link);
  const revoke = useStorageAction(projectId, (tok: string) => storageApi.revokeLink(projectId, tok));
  const url = publicUrl(link, token);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('admin.files.linkTitle')}</DialogTitle>
          <DialogDescription>{t('admin.files.linkText', { path: link.path })}</DialogDescription>
        </DialogHeader>
        {url ? (
          <div className="flex gap-2">
            <Input readOnly value={url} aria-label={t('admin.files.publicLink')} className="font-mono text-xs" data-testid="link-url" />
            <CopyButton text={url} />
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">{t('admin.files.linkHidden', { hint: link.token_hint })}</p>
        )}
        {revoke.error ? <Alert variant="destructive">{errorMessage(t, revoke.error)}</Alert> : null}
        <DialogFooter>
          {token ? (
            <Button
              variant="destructive"
              disabled={revoke.isPending}
              data-testid="link-revoke"
              onClick={() =>
                revoke.mutate(token, {
                  onSuccess: () => {
                    linkTokens.set(projectId, link, null);
                    onClose();
                  },
                })
              }
            >
              {revoke.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {t('admin.files.revoke')}
            </Button>
          ) : (
            <p className="mr-auto text-xs text-muted-foreground">{t('admin.files.cannotRevoke')}</p>
          )}
          <Button variant="outline" onClick={onClose}>
            {t('common.close')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function LinksCard({ projectId, onShow }: { projectId: string; onShow: (l: StorageLink) => void }) {
  const { t, i18n } = useTranslation();
  const links = useStorageLinks(projectId);
  const items = links.data?.items ?? [];
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium' });
  if (links.isPending || (links.isSuccess && items.length === 0)) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('admin.files.links')}</CardTitle>
      </CardHeader>
      <CardContent>
        {links.isError ? (
          <ErrorState title={t('admin.files.linksError')} error={links.error} onRetry={() => void links.refetch()} />
        ) : (
          <ul className="divide-y text-sm" data-testid="links-list">
            {items.map((l) => (
              <li key={`${l.token_hint}|${l.path}`} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span className="min-w-0 truncate font-mono text-xs">{l.path}</span>
                <span className="flex items-center gap-3 text-xs text-muted-foreground">
                  <span>…{l.token_hint}</span>
                  <span>{dateFmt.format(new Date(l.created_at))}</span>
                  <Button variant="outline" size="sm" onClick={() => onShow(l)}>
                    {t('admin.files.manageLink')}
                  </Button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
