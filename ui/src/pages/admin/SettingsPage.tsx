import { useEffect, useState } from 'react';
import { zodResolver } from '@hookform/resolvers/zod';
import { KeyRoundIcon, Loader2Icon, RefreshCwIcon, Trash2Icon, UserPlusIcon } from 'lucide-react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { z } from 'zod';
import { useDeleteProject, useMemberAction, useMembers, useRegenerateKey, useUpdateProject, useUsers } from '@/api/admin';
import { ApiError } from '@/api/errors';
import { useProject, type Project } from '@/api/projects';
import { useAuth } from '@/auth';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle, SectionCard } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { can } from '@/lib/admin/users';
import type { ProjectColor } from '@/lib/colors';
import { errorMessage } from '@/lib/error-message';
import { projectCreateSchema } from '@/lib/project-schema';
import { Checkbox, FormRow, Select } from '@/components/ui/field';
import { toast } from '@/components/ui/toast';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { SecretInput } from '@/components/ui/secret-input';
import { CopyButton } from '@/components/ui/copy-button';
import { ColorPicker } from '@/components/ui/color-picker';
import { ProjectPageHeader } from './parts';

const settingsSchema = projectCreateSchema.extend({ auto_start: z.boolean() });
type SettingsForm = z.infer<typeof settingsSchema>;

export default function SettingsPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const project = useProject(id);
  return (
    <div className="max-w-3xl space-y-6">
      <ProjectPageHeader projectId={id} title={t('admin.settings.title')} />
      {project.isPending && <Skeleton className="h-64 w-full" />}
      {project.isError && <ErrorState title={t('dashboard.loadError')} error={project.error} onRetry={() => void project.refetch()} />}
      {project.data && (
        <>
          <GeneralCard project={project.data} />
          <ApiKeyCard project={project.data} />
          <MembersCard project={project.data} />
          <DangerCard project={project.data} />
        </>
      )}
    </div>
  );
}

function GeneralCard({ project }: { project: Project }) {
  const { t } = useTranslation();
  const update = useUpdateProject(project.id);
  const form = useForm<SettingsForm>({
    resolver: zodResolver(settingsSchema),
    defaultValues: { name: project.name, slug: project.slug, color: project.color, auto_start: project.auto_start },
  });
  const { register, handleSubmit, formState, setValue, watch, setError, reset } = form;
  const color = watch('color') as ProjectColor | null;
  useEffect(() => {
    if (!formState.isDirty) reset({ name: project.name, slug: project.slug, color: project.color, auto_start: project.auto_start });
  }, [project, formState.isDirty, reset]);

  const onSubmit = handleSubmit(async (v) => {
    try {
      const p = await update.mutateAsync({ name: v.name, slug: v.slug, color: v.color as Project['color'], auto_start: v.auto_start });
      reset({ name: p.name, slug: p.slug, color: p.color, auto_start: p.auto_start });
      toast.success(t('admin.common.saved'));
    } catch (err) {
      if (err instanceof ApiError) {
        const taken = err.code === 'CONFLICT' || err.code === 'UNIQUE_VIOLATION';
        for (const [f, msg] of Object.entries(err.fields))
          if (f === 'name' || f === 'slug') setError(f, { message: taken ? 'errors.UNIQUE_VIOLATION' : msg });
        if (taken && Object.keys(err.fields).length === 0) setError('slug', { message: 'errors.UNIQUE_VIOLATION' });
      }
    }
  });
  const msg = (m?: string) => (m ? t(m as 'validation.required', { defaultValue: m }) : undefined);
  const nameError = msg(formState.errors.name?.message);
  const slugError = msg(formState.errors.slug?.message);
  const formError = update.error && !(update.error instanceof ApiError && (update.error.code === 'CONFLICT' || Object.keys(update.error.fields).length > 0));

  return (
    <SectionCard title={t('admin.settings.general')} description={t('admin.settings.generalText')}>
      <form className="grid gap-5" onSubmit={onSubmit} noValidate data-testid="settings-form">
        {formError && <Alert variant="destructive">{errorMessage(t, update.error)}</Alert>}
        <FormRow label={t('createProject.name')} htmlFor="settings-name" error={nameError}>
          <Input id="settings-name" aria-invalid={!!nameError} aria-describedby={nameError ? 'settings-name-error' : undefined} {...register('name')} />
        </FormRow>
        <FormRow label={t('createProject.slug')} htmlFor="settings-slug" error={slugError}>
          <Input
            id="settings-slug"
            className="font-mono"
            aria-invalid={!!slugError}
            aria-describedby={slugError ? 'settings-slug-error settings-slug-hint' : 'settings-slug-hint'}
            {...register('slug')}
          />
          <p id="settings-slug-hint" className="text-xs text-muted-foreground">
            {t('admin.settings.slugHint')}
          </p>
        </FormRow>
        <ColorPicker legend={t('createProject.color')} value={color} onChange={(c) => setValue('color', c, { shouldDirty: true })} />
        <Checkbox label={t('dashboard.autoStart')} description={t('admin.settings.autoStartText')} {...register('auto_start')} />
        <div className="flex items-center justify-end gap-3">
          <Button type="submit" disabled={update.isPending || !formState.isDirty} data-testid="settings-save">
            {update.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
            {t('admin.common.save')}
          </Button>
        </div>
      </form>
    </SectionCard>
  );
}

function ApiKeyCard({ project }: { project: Project }) {
  const { t } = useTranslation();
  const regen = useRegenerateKey(project.id);
  const [asking, setAsking] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('admin.settings.apiKey')}</CardTitle>
        <CardDescription>{t('admin.settings.apiKeyText')}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {key ? (
          <div className="grid gap-2" data-testid="new-api-key">
            <Label htmlFor="api-key-value">{t('admin.settings.newKey')}</Label>
            <div className="flex gap-2">
              <div className="flex-1">
                <SecretInput id="api-key-value" readOnly value={key} className="font-mono text-xs" />
              </div>
              <CopyButton text={key} />
            </div>
            <p className="text-xs text-muted-foreground">{t('admin.settings.newKeyNote')}</p>
          </div>
        ) : (
          <p className="flex items-center gap-2 text-sm">
            <KeyRoundIcon className="size-4 text-muted-foreground" aria-hidden="true" />
            <span className="text-muted-foreground">{t('admin.settings.keyHint')}</span>
            <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs" data-testid="api-key-hint">
              {project.api_key_hint}
            </code>
          </p>
        )}
        <div>
          <Button variant="outline" onClick={() => setAsking(true)} aria-haspopup="dialog" data-testid="regenerate-key">
            <RefreshCwIcon aria-hidden="true" />
            {t('admin.settings.regenerate')}
          </Button>
        </div>
      </CardContent>
      <ConfirmDialog
        open={asking}
        onOpenChange={(o) => {
          setAsking(o);
          if (!o) regen.reset();
        }}
        title={t('admin.settings.regenerateTitle')}
        description={t('admin.settings.regenerateText')}
        confirmLabel={t('admin.settings.regenerate')}
        pending={regen.isPending}
        error={regen.error}
        testId="regenerate"
        onConfirm={() =>
          regen.mutate(undefined, {
            onSuccess: (r) => {
              setKey(r.api_key);
              setAsking(false);
            },
          })
        }
      />
    </Card>
  );
}

function MembersCard({ project }: { project: Project }) {
  const { t, i18n } = useTranslation();
  const { session } = useAuth();
  const manage = can(session?.user, 'manage_users');
  const members = useMembers(project.id);
  const users = useUsers('', 1, manage);
  const action = useMemberAction(project.id);
  const [adding, setAdding] = useState('');
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const items = members.data?.items ?? [];
  const memberIds = new Set(items.map((m) => m.id));
  const candidates = (users.data?.items ?? []).filter((u) => !u.is_root && !memberIds.has(u.id));
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium' });
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('admin.settings.members')}</CardTitle>
        <CardDescription>{t('admin.settings.membersText')}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {members.isPending && <Skeleton className="h-16 w-full" />}
        {members.isError && <ErrorState title={t('admin.settings.membersError')} error={members.error} onRetry={() => void members.refetch()} />}
        {members.isSuccess && items.length === 0 && <p className="text-sm text-muted-foreground">{t('admin.settings.noMembers')}</p>}
        {items.length > 0 && (
          <ul className="divide-y rounded-md border" data-testid="members-list">
            {items.map((m) => (
              <li key={m.id} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                <div className="min-w-0">
                  <p className="truncate font-medium">{m.name || m.email}</p>
                  <p className="truncate text-xs text-muted-foreground">
                    {m.email} · {t('admin.settings.since', { date: dateFmt.format(new Date(m.since)) })}
                  </p>
                </div>
                {manage && (
                  <Button variant="ghost" size="icon" aria-label={t('admin.settings.removeMember', { name: m.name || m.email })} onClick={() => setRemoving({ id: m.id, name: m.name || m.email })}>
                    <Trash2Icon aria-hidden="true" />
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {manage && (
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (adding) action.mutate({ add: true, userId: adding }, { onSuccess: () => setAdding('') });
            }}
          >
            <div className="grid min-w-48 flex-1 gap-2">
              <Label htmlFor="member-add">{t('admin.settings.addMember')}</Label>
              <Select id="member-add" value={adding} onChange={(e) => setAdding(e.target.value)} disabled={candidates.length === 0}>
                <option value="">{candidates.length === 0 ? t('admin.settings.noCandidates') : t('admin.settings.chooseUser')}</option>
                {candidates.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name ? `${u.name} (${u.email})` : u.email}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" variant="outline" disabled={!adding || action.isPending}>
              <UserPlusIcon aria-hidden="true" />
              {t('admin.settings.add')}
            </Button>
          </form>
        )}
        {action.error && !removing ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
      </CardContent>
      <ConfirmDialog
        open={!!removing}
        onOpenChange={(o) => {
          if (!o) {
            setRemoving(null);
            action.reset();
          }
        }}
        title={t('admin.settings.removeTitle')}
        description={t('admin.settings.removeText', { name: removing?.name ?? '' })}
        confirmLabel={t('admin.settings.remove')}
        pending={action.isPending}
        error={action.error}
        onConfirm={() =>
          removing &&
          action.mutate(
            { add: false, userId: removing.id },
            {
              onSuccess: () => {
                toast.success(t('admin.settings.memberRemoved', { name: removing.name }));
                setRemoving(null);
              },
            },
          )
        }
      />
    </Card>
  );
}

function DangerCard({ project }: { project: Project }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const del = useDeleteProject(project.id);
  const [asking, setAsking] = useState(false);
  return (
    <Card className="border-destructive/50" data-testid="danger-zone">
      <CardHeader>
        <CardTitle className="text-destructive">{t('admin.settings.danger')}</CardTitle>
        <CardDescription>{t('admin.settings.deleteText')}</CardDescription>
      </CardHeader>
      <CardContent>
        <Button variant="destructive" onClick={() => setAsking(true)} aria-haspopup="dialog" data-testid="delete-project">
          <Trash2Icon aria-hidden="true" />
          {t('admin.settings.delete')}
        </Button>
      </CardContent>
      <ConfirmDialog
        open={asking}
        onOpenChange={(o) => {
          setAsking(o);
          if (!o) del.reset();
        }}
        title={t('admin.settings.deleteTitle', { name: project.name })}
        description={t('admin.settings.deleteConfirm')}
        confirmLabel={t('admin.settings.delete')}
        typed={project.slug}
        pending={del.isPending}
        error={del.error}
        testId="delete-project-dialog"
        onConfirm={() =>
          del.mutate(undefined, {
            onSuccess: () => {
              toast.success(t('admin.settings.projectDeleted', { name: project.name }));
              void navigate('/projects', { replace: true });
            },
          })
        }
      />
    </Card>
  );
}
