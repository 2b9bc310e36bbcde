import { useEffect, useState } from 'react';
import { BanIcon, CheckCircleIcon, Loader2Icon, PencilIcon, SearchIcon, Trash2Icon, UserPlusIcon, UsersIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useUserAction, useUsers } from '@/api/admin';
import { ApiError } from '@/api/errors';
import { useProjects } from '@/api/projects';
import type { User } from '@/api/session';
import { useAuth } from '@/auth';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { problemText, userFormProblems, type UserFormValues } from '@/lib/admin/user-form';
import { can, initials, PERMISSIONS } from '@/lib/admin/users';
import { errorMessage } from '@/lib/error-message';
import { Checkbox, FormRow } from '@/components/ui/field';
import { toast } from '@/components/ui/toast';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { SecretInput } from '@/components/ui/secret-input';

type Pending = { kind: 'block' | 'unblock' | 'delete'; user: User } | null;

export default function UsersPage() {
  const { t, i18n } = useTranslation();
  const { session } = useAuth();
  const allowed = can(session?.user, 'manage_users');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const users = useUsers(query, page, allowed);
  const action = useUserAction();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium' });

  useEffect(() => {
    const h = setTimeout(() => {
      setQuery(search.trim());
      setPage(1);
    }, 250);
    return () => clearTimeout(h);
  }, [search]);

  if (!allowed)
    return (
      <div className="mx-auto max-w-5xl space-y-6">
        <h1 className="text-2xl font-semibold tracking-tight">{t('admin.users.title')}</h1>
        <Alert variant="destructive">{t('errors.PERMISSION_DENIED')}</Alert>
      </div>
    );

  const items = users.data?.items ?? [];
  const totalPages = users.data?.total_pages ?? 1;
  const me = session?.user.id;

  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t('admin.users.title')}</h1>
          <p className="text-sm text-muted-foreground">{t('admin.users.subtitle')}</p>
        </div>
        <Button onClick={() => setEditing('new')} aria-haspopup="dialog" data-testid="user-new">
          <UserPlusIcon aria-hidden="true" />
          {t('admin.users.new')}
        </Button>
      </div>
      <div className="relative max-w-sm">
        <SearchIcon className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden="true" />
        <Input
          type="search"
          className="pl-9"
          placeholder={t('admin.users.search')}
          aria-label={t('admin.users.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {users.isPending && (
        <Card className="space-y-3 p-5" aria-busy="true">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-10 w-full" />
          ))}
        </Card>
      )}
      {users.isError && <ErrorState title={t('admin.users.loadError')} error={users.error} onRetry={() => void users.refetch()} />}
      {users.isSuccess && items.length === 0 && (
        <Card className="flex flex-col items-center gap-3 px-6 py-14 text-center">
          <UsersIcon className="size-8 text-muted-foreground" aria-hidden="true" />
          <p className="text-sm text-muted-foreground">{t('admin.users.none')}</p>
        </Card>
      )}
      {pending === null && action.error ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
      {items.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="users-table">
            <caption className="sr-only">{t('admin.users.title')}</caption>
            <thead className="border-b text-left text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.users.user')}</th>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.users.access')}</th>
                <th scope="col" className="hidden px-4 py-3 font-medium md:table-cell">{t('admin.users.created')}</th>
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">{t('admin.common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => {
                const name = u.name || u.email;
                const editable = !u.is_root || session?.user.is_root;
                return (
                  <tr key={u.id} className="border-b last:border-0" data-testid="user-row" data-email={u.email}>
                    <th scope="row" className="px-4 py-3 text-left font-normal">
                      <div className="flex items-center gap-3">
                        {u.avatar_url ? (
                          <img src={u.avatar_url} alt="" className="size-8 rounded-full object-cover" />
                        ) : (
                          <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold text-primary" aria-hidden="true">
                            {initials(u.name, u.email)}
                          </span>
                        )}
                        <div className="min-w-0">
                          <p className="truncate font-medium">{name}</p>
                          <p className="truncate text-xs text-muted-foreground">{u.email}</p>
                        </div>
                      </div>
                    </th>
                    <td className="px-4 py-3">
                      <div className="flex flex-wrap gap-1">
                        {u.is_root && <Badge>{t('header.root')}</Badge>}
                        {u.is_blocked && (
                          <Badge variant="destructive" data-testid="user-blocked">
                            {t('admin.users.blocked')}
                          </Badge>
                        )}
                        {!u.is_root &&
                          PERMISSIONS.filter((p) => u.permissions[p]).map((p) => (
                            <Badge key={p} variant="secondary">
                              {t(`admin.users.perm.${p}`)}
                            </Badge>
                          ))}
                        {!u.is_root && (
                          <Badge variant="outline">{t('admin.users.projectsCount', { count: u.project_ids.length })}</Badge>
                        )}
                      </div>
                    </td>
                    <td className="hidden px-4 py-3 text-xs text-muted-foreground md:table-cell">{dateFmt.format(new Date(u.created_at))}</td>
                    <td className="px-4 py-3">
                      <div className="flex justify-end gap-1">
                        {editable && (
                          <Button variant="ghost" size="icon" aria-label={t('admin.users.edit', { name })} onClick={() => setEditing(u)}>
                            <PencilIcon aria-hidden="true" />
                          </Button>
                        )}
                        {!u.is_root && u.id !== me && (
                          <>
                            <Button
                              variant="ghost"
                              size="icon"
                              aria-label={t(u.is_blocked ? 'admin.users.unblock' : 'admin.users.block', { name })}
                              onClick={() => setPending({ kind: u.is_blocked ? 'unblock' : 'block', user: u })}
                              data-testid={u.is_blocked ? 'user-unblock' : 'user-block'}
                            >
                              {u.is_blocked ? <CheckCircleIcon aria-hidden="true" /> : <BanIcon aria-hidden="true" />}
                            </Button>
                            <Button variant="ghost" size="icon" aria-label={t('admin.users.delete', { name })} onClick={() => setPending({ kind: 'delete', user: u })}>
                              <Trash2Icon aria-hidden="true" />
                            </Button>
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
      {totalPages > 1 && (
        <nav className="flex items-center justify-end gap-2 text-sm" aria-label={t('admin.users.pages')}>
          <Button variant="outline" size="sm" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            {t('admin.common.previous')}
          </Button>
          <span>{t('admin.common.pageOf', { page, total: totalPages })}</span>
          <Button variant="outline" size="sm" disabled={page >= totalPages} onClick={() => setPage((p) => p + 1)}>
            {t('admin.common.next')}
          </Button>
        </nav>
      )}
      <UserDialog editing={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={!!pending}
        onOpenChange={(o) => {
          if (!o) {
            setPending(null);
            action.reset();
          }
        }}
        title={pending ? t(`admin.users.${pending.kind}Title`, { name: pending.user.name || pending.user.email }) : ''}
        description={pending ? t(`admin.users.${pending.kind}Text`) : ''}
        confirmLabel={pending ? t(`admin.users.${pending.kind}Confirm`) : ''}
        destructive={pending?.kind !== 'unblock'}
        pending={action.isPending}
        error={action.error}
        testId="user-confirm"
        onConfirm={() =>
          pending &&
          action.mutate(
            { kind: pending.kind, id: pending.user.id },
            {
              onSuccess: () => {
                toast.success(t(`admin.users.done.${pending.kind}`, { name: pending.user.name || pending.user.email }));
                setPending(null);
              },
            },
          )
        }
      />
    </div>
  );
}

function UserDialog({ editing, onClose }: { editing: User | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog open={!!editing} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{editing === 'new' ? t('admin.users.new') : t('admin.users.editTitle')}</DialogTitle>
          <DialogDescription>{editing === 'new' ? t('admin.users.newText') : t('admin.users.editText')}</DialogDescription>
        </DialogHeader>
        {editing && <UserForm key={editing === 'new' ? 'new' : editing.id} user={editing === 'new' ? null : editing} onDone={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

function UserForm({ user, onDone }: { user: User | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { session } = useAuth();
  const me = session?.user;
  const projects = useProjects();
  const action = useUserAction();
  const [v, setV] = useState<UserFormValues>({
    email: user?.email ?? '',
    name: user?.name ?? '',
    password: '',
    permissions: { create_projects: user?.permissions.create_projects ?? false, manage_users: user?.permissions.manage_users ?? false },
    project_ids: user?.project_ids ?? [],
  });
  const [submitted, setSubmitted] = useState(false);
  const problems = userFormProblems(v, !user);
  const server = action.error instanceof ApiError ? action.error.fields : {};
  const err = (f: 'email' | 'password' | 'name') =>
    (submitted && problems[f] ? problemText(t, problems[f]) : undefined) ?? server[f];
  const self = user?.id === me?.id;
  const root = !!user?.is_root;

  const done = (what: 'saved' | 'created') => {
    toast.success(t(`admin.users.done.${what}`, { name: v.name.trim() || v.email.trim() }));
    onDone();
  };

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    const common = {
      email: v.email.trim(),
      name: v.name.trim(),
      ...(root || self ? {} : { permissions: v.permissions, project_ids: v.project_ids }),
    };
    if (user)
      action.mutate({ kind: 'update', id: user.id, body: { ...common, ...(v.password && !self ? { password: v.password } : {}) } }, { onSuccess: () => done('saved') });
    else action.mutate({ kind: 'create', body: { ...common, password: v.password } }, { onSuccess: () => done('created') });
  };

  const projectItems = projects.data?.items ?? [];
  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate data-testid="user-form">
      {action.error && Object.keys(server).length === 0 ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormRow label={t('login.email')} htmlFor="user-email" error={err('email')}>
          <Input
            id="user-email"
            type="email"
            value={v.email}
            onChange={(e) => setV({ ...v, email: e.target.value })}
            aria-invalid={!!err('email')}
            aria-describedby={err('email') ? 'user-email-error' : undefined}
            autoComplete="off"
            autoFocus
          />
        </FormRow>
        <FormRow label={t('admin.users.name')} htmlFor="user-name" error={err('name')}>
          <Input id="user-name" value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} aria-invalid={!!err('name')} autoComplete="off" />
        </FormRow>
      </div>
      {!self && (
        <FormRow label={user ? t('admin.users.newPassword') : t('login.password')} htmlFor="user-password" error={err('password')}>
          <SecretInput
            id="user-password"
            value={v.password}
            onChange={(e) => setV({ ...v, password: e.target.value })}
            aria-invalid={!!err('password')}
            aria-describedby={err('password') ? 'user-password-error user-password-hint' : 'user-password-hint'}
            autoComplete="new-password"
          />
          <p id="user-password-hint" className="text-xs text-muted-foreground">
            {user ? t('admin.users.passwordKeep') : t('admin.users.passwordHint')}
          </p>
        </FormRow>
      )}
      {!root && !self && (
        <>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">{t('admin.users.permissions')}</legend>
            {PERMISSIONS.map((p) => (
              <Checkbox
                key={p}
                label={t(`admin.users.perm.${p}`)}
                description={t(`admin.users.permText.${p}`)}
                checked={v.permissions[p]}
                disabled={!can(me, p)}
                onChange={(e) => setV({ ...v, permissions: { ...v.permissions, [p]: e.target.checked } })}
                data-testid={`perm-${p}`}
              />
            ))}
          </fieldset>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">{t('admin.users.projects')}</legend>
            {projects.isPending && <Skeleton className="h-6 w-40" />}
            {projects.isSuccess && projectItems.length === 0 && <p className="text-sm text-muted-foreground">{t('admin.users.noProjects')}</p>}
            <div className="grid max-h-40 gap-2 overflow-y-auto sm:grid-cols-2">
              {projectItems.map((p) => (
                <Checkbox
                  key={p.id}
                  label={p.name}
                  checked={v.project_ids.includes(p.id)}
                  onChange={(e) =>
                    setV({ ...v, project_ids: e.target.checked ? [...v.project_ids, p.id] : v.project_ids.filter((x) => x !== p.id) })
                  }
                />
              ))}
            </div>
          </fieldset>
        </>
      )}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" disabled={action.isPending} data-testid="user-save">
          {action.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
          {user ? t('admin.common.save') : t('common.create')}
        </Button>
      </DialogFooter>
    </form>
  );
}
