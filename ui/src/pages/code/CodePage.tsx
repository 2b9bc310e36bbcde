import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GitBranchPlusIcon, RotateCcwIcon, SaveIcon, UploadIcon } from 'lucide-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router-dom';
import {
  codeKeys,
  fetchBranch,
  saveDraft,
  useBranch,
  useBranches,
  usePublish,
  useReleases,
  useResetBranch,
  useRuntimeTypes,
  type Branch,
  type ReleaseTag,
} from '@/api/code';
import { ApiError } from '@/api/errors';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import {
  afterSave,
  bufferFromServer,
  isDirty,
  needsChoice,
  resolveConflict,
  type Conflict,
  type ConflictChoice,
  type DraftBuffer,
} from '@/lib/draft';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';
import { useTheme } from '@/theme';
import { BranchDialog, type BranchSource } from './BranchDialog';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ConflictDialog } from './ConflictDialog';
import { Select } from '@/components/ui/field';
import { PublishDialog } from './PublishDialog';
import { ReleasesPanel } from './ReleasesPanel';

// Monaco (and its workers) load with this component only.
const CodeEditor = lazy(() => import('./CodeEditor'));

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'error'; error: unknown } | { kind: 'info'; text: string };

export default function CodePage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { resolved } = useTheme();
  const dark = resolved === 'dark';
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const branches = useBranches(id);
  const releases = useReleases(id);
  const types = useRuntimeTypes(id);
  const publish = usePublish(id);
  const reset = useResetBranch(id);

  const names = branches.data?.map((b) => b.name) ?? [];
  const current = params.get('branch') ?? (names.includes('develop') || names.length === 0 ? 'develop' : names[0]!);
  const branch = useBranch(id, current);

  const [buffers, setBuffers] = useState<Record<string, DraftBuffer>>({});
  const buffer = buffers[current];
  const dirty = isDirty(buffer);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [dialog, setDialog] = useState<null | 'publish' | 'branch'>(null);
  const [branchSource, setBranchSource] = useState<BranchSource>({ kind: 'branch', name: current });
  const [resetTo, setResetTo] = useState<string | null>(null);

  const setBuffer = useCallback((name: string, b: DraftBuffer) => setBuffers((all) => ({ ...all, [name]: b })), []);

  // The server's draft becomes the buffer (unsaved edits of the same revision stay).
  useEffect(() => {
    const b = branch.data;
    if (!b || b.code === undefined) return;
    setBuffers((all) => ({ ...all, [b.name]: bufferFromServer(all[b.name], b.code!, b.revision) }));
  }, [branch.data]);

  // Models changed on another page of this UI: refresh the editor's types at once
  // (they are polled and refetched on focus as well).
  useEffect(
    () =>
      qc.getQueryCache().subscribe((e) => {
        if (e.type === 'updated' && e.action.type === 'success' && e.query.queryKey.includes('models') && e.query.queryKey.includes(id))
          void qc.invalidateQueries({ queryKey: codeKeys.types(id) });
      }),
    [qc, id],
  );

  // Leaving with unsaved edits asks first.
  const anyDirty = Object.values(buffers).some(isDirty);
  useEffect(() => {
    if (!anyDirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [anyDirty]);

  const applyServer = useCallback(
    (b: Branch, sent?: string) => {
      qc.setQueryData(codeKeys.branch(id, b.name), b);
      setBuffers((all) => {
        const prev = all[b.name];
        const next = prev && sent !== undefined ? afterSave(prev, sent, b.code ?? sent, b.revision) : bufferFromServer(undefined, b.code ?? '', b.revision);
        return { ...all, [b.name]: next };
      });
      if (!names.includes(b.name)) void qc.invalidateQueries({ queryKey: codeKeys.branches(id) });
    },
    [qc, id, names],
  );

  const savingRef = useRef(false);
  const save = useCallback(
    async (b: DraftBuffer | undefined = buffer): Promise<boolean> => {
      if (!b || savingRef.current) return false;
      savingRef.current = true;
      setStatus({ kind: 'saving' });
      try {
        const saved = await saveDraft(id, current, b.code, b.revision);
        applyServer(saved, b.code);
        setStatus({ kind: 'saved', at: new Date() });
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          const latest = await fetchBranch(id, current);
          const c: Conflict = { mine: b.code, theirs: latest.code ?? '', theirRevision: latest.revision };
          if (!needsChoice(c)) {
            setBuffer(current, resolveConflict(c, 'theirs').buffer);
            setStatus({ kind: 'saved', at: new Date() });
            return true;
          }
          setConflict(c);
          setStatus({ kind: 'info', text: t('code.conflict.short') });
          return false;
        }
        setStatus({ kind: 'error', error: err });
        return false;
      } finally {
        savingRef.current = false;
      }
    },
    [buffer, id, current, applyServer, setBuffer, t],
  );

  async function choose(choice: ConflictChoice) {
    if (!conflict) return;
    const r = resolveConflict(conflict, choice);
    setConflict(null);
    setBuffer(current, r.buffer);
    if (r.save) await save(r.buffer);
    else setStatus({ kind: 'info', text: t('code.conflict.tookTheirs') });
  }

  // Ctrl/Cmd+S anywhere on the page (the editor has its own binding too).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  async function doPublish(v: { bump: 'major' | 'minor'; tag: ReleaseTag; comment: string }) {
    if (dirty || !branch.data?.exists) {
      if (!(await save())) throw new Error(t('code.publish.saveFailed'));
    }
    const r = await publish.mutateAsync({ branch: current, bump: v.bump, tag: v.tag, comment: v.comment });
    setStatus({ kind: 'info', text: t('code.publish.done', { version: r.version }) });
  }

  async function doReset(version: string) {
    try {
      const b = await reset.mutateAsync({ name: current, version });
      applyServer(b);
      setStatus({ kind: 'info', text: t('code.reset.done', { version }) });
    } catch (e) {
      setStatus({ kind: 'error', error: e });
    }
    setResetTo(null);
  }

  const selectBranch = (name: string) => setParams(name === 'develop' ? {} : { branch: name }, { replace: true });
  const exists = branch.data?.exists ?? false;
  const branchList = useMemo(() => branches.data ?? [], [branches.data]);
  const shortcut = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘S' : 'Ctrl+S';

  let statusText: string | null = null;
  if (status.kind === 'saving') statusText = t('code.status.saving');
  else if (status.kind === 'error') statusText = errorMessage(t, status.error);
  else if (dirty) statusText = t('code.status.unsaved');
  else if (status.kind === 'saved') statusText = t('code.status.saved', { time: status.at.toLocaleTimeString(i18n.resolvedLanguage) });
  else if (status.kind === 'info') statusText = status.text;
  else if (branch.data && !exists) statusText = t('code.status.template');

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid gap-1">
          <Label htmlFor="branch-select" className="text-xs text-muted-foreground">
            {t('code.branch.label')}
          </Label>
          <Select
            id="branch-select"
            className="w-48"
            value={current}
            onChange={(e) => selectBranch(e.target.value)}
            disabled={branches.isPending}
            data-testid="branch-select"
          >
            {(names.includes(current) ? names : [current, ...names]).map((n) => (
              <option key={n} value={n}>
                {n}
                {isDirty(buffers[n]) ? ' •' : ''}
              </option>
            ))}
          </Select>
        </div>
        <Button
          variant="outline"
          onClick={() => {
            setBranchSource({ kind: 'branch', name: current });
            setDialog('branch');
          }}
          disabled={!exists}
          title={exists ? undefined : t('code.branch.saveFirst')}
          data-testid="new-branch"
        >
          <GitBranchPlusIcon aria-hidden="true" />
          {t('code.branch.new')}
        </Button>
        <Button
          variant="outline"
          onClick={() => setResetTo(releases.data?.find((r) => r.is_active)?.version ?? releases.data?.[0]?.version ?? null)}
          disabled={!exists || !releases.data?.length}
          data-testid="reset-draft"
        >
          <RotateCcwIcon aria-hidden="true" />
          {t('code.reset.button')}
        </Button>
        <div className="flex-1" />
        <span
          className={cn('pb-2 text-sm', status.kind === 'error' ? 'text-destructive' : 'text-muted-foreground')}
          role="status"
          aria-live="polite"
          data-testid="save-status"
        >
          {statusText}
        </span>
        <Button
          variant="outline"
          onClick={() => void save()}
          disabled={!buffer || status.kind === 'saving' || (!dirty && exists)}
          title={t('code.saveShortcut', { shortcut })}
          data-testid="save-draft"
        >
          <SaveIcon aria-hidden="true" />
          {t('code.save')}
        </Button>
        <Button onClick={() => setDialog('publish')} disabled={!buffer} data-testid="open-publish">
          <UploadIcon aria-hidden="true" />
          {t('code.publish.button')}
        </Button>
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="h-[calc(100svh-20rem)] min-h-[420px] overflow-hidden rounded-lg border">
          {branch.isError ? (
            <div className="p-4">
              <ErrorState title={t('code.loadError')} error={branch.error} onRetry={() => void branch.refetch()} />
            </div>
          ) : !buffer ? (
            <Skeleton className="h-full w-full" />
          ) : (
            <Suspense
              fallback={
                <div className="flex h-full items-center justify-center text-sm text-muted-foreground" role="status">
                  {t('code.loadingEditor')}
                </div>
              }
            >
              <CodeEditor
                path={current}
                value={buffer.code}
                onChange={(v) => setBuffers((all) => (all[current] ? { ...all, [current]: { ...all[current]!, code: v } } : all))}
                onSave={() => void save()}
                types={types.data}
                dark={dark}
                ariaLabel={t('code.editorLabel', { branch: current })}
              />
            </Suspense>
          )}
        </div>
        <div className="space-y-3">
          {types.isError && <ErrorState title={t('code.typesError')} error={types.error} onRetry={() => void types.refetch()} />}
          <ReleasesPanel
            projectId={id}
            releases={releases.data}
            isPending={releases.isPending}
            error={releases.isError ? releases.error : null}
            onRetry={() => void releases.refetch()}
            currentBranch={current}
            onResetTo={(v) => setResetTo(v)}
            onBranchFrom={(v) => {
              setBranchSource({ kind: 'release', version: v });
              setDialog('branch');
            }}
          />
        </div>
      </div>

      <PublishDialog
        open={dialog === 'publish'}
        onOpenChange={(o) => setDialog(o ? 'publish' : null)}
        branch={current}
        dirty={dirty || !exists}
        releases={releases.data ?? []}
        onPublish={doPublish}
      />
      <BranchDialog
        projectId={id}
        open={dialog === 'branch'}
        onOpenChange={(o) => setDialog(o ? 'branch' : null)}
        branches={branchList}
        releases={releases.data ?? []}
        initial={branchSource}
        onCreated={(b) => {
          setBuffer(b.name, bufferFromServer(undefined, b.code ?? '', b.revision));
          selectBranch(b.name);
          setStatus({ kind: 'info', text: t('code.branch.created', { name: b.name }) });
        }}
      />
      <ConfirmDialog
        open={!!resetTo}
        onOpenChange={(o) => !o && setResetTo(null)}
        title={t('code.reset.title', { branch: current })}
        description={t('code.reset.description', { branch: current })}
        confirmLabel={t('code.reset.confirm')}
        pending={reset.isPending}
        onConfirm={() => resetTo && void doReset(resetTo)}
      >
        <div className="grid gap-2">
          <Label htmlFor="reset-version">{t('code.reset.release')}</Label>
          <Select id="reset-version" value={resetTo ?? ''} onChange={(e) => setResetTo(e.target.value)}>
            {(releases.data ?? []).map((r) => (
              <option key={r.version} value={r.version}>
                {t('code.releases.version', { version: r.version })}
              </option>
            ))}
          </Select>
        </div>
      </ConfirmDialog>
      <ConflictDialog
        conflict={conflict}
        dark={dark}
        pending={status.kind === 'saving'}
        onChoose={(c) => void choose(c)}
        onCancel={() => setConflict(null)}
      />
    </div>
  );
}
