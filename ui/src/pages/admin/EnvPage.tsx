import { useState } from 'react';
import { KeyRoundIcon, Loader2Icon, PencilIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useDeleteEnv, useEnv, useSaveEnv, type EnvValue } from '@/api/admin';
import { ApiError } from '@/api/errors';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import {
  ENV_TYPES,
  envValuePreview,
  envValueToInput,
  parseEnvValue,
  validateEnvKey,
  type EnvInputError,
  type EnvType,
} from '@/lib/admin/env';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';
import { Checkbox, FieldError, FormRow, Select, Textarea } from '@/components/ui/field';
import { toast } from '@/components/ui/toast';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { SecretInput } from '@/components/ui/secret-input';
import { ProjectPageHeader } from './parts';

type Editing = { mode: 'create' } | { mode: 'edit'; value: EnvValue };

export default function EnvPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const env = useEnv(id);
  const del = useDeleteEnv(id);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<EnvValue | null>(null);
  const items = env.data?.items ?? [];
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'short' });
  const addButton = (
    <Button onClick={() => setEditing({ mode: 'create' })} aria-haspopup="dialog" data-testid="env-add">
      <PlusIcon aria-hidden="true" />
      {t('admin.env.add')}
    </Button>
  );

  return (
    <div className="space-y-6">
      <ProjectPageHeader projectId={id} title={t('admin.env.title')} actions={items.length > 0 ? addButton : undefined} />
      <p className="text-sm text-muted-foreground">{t('admin.env.subtitle')}</p>
      {env.isPending && (
        <Card className="space-y-3 p-5" aria-busy="true">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-6 w-full" />
          ))}
        </Card>
      )}
      {env.isError && <ErrorState title={t('admin.env.loadError')} error={env.error} onRetry={() => void env.refetch()} />}
      {env.isSuccess && items.length === 0 && (
        <Card className="flex flex-col items-center gap-3 px-6 py-14 text-center" data-testid="env-empty">
          <div className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
            <KeyRoundIcon className="size-6" aria-hidden="true" />
          </div>
          <h2 className="text-lg font-semibold">{t('admin.env.emptyTitle')}</h2>
          <p className="max-w-sm text-sm text-muted-foreground">{t('admin.env.emptyText')}</p>
          {addButton}
        </Card>
      )}
      {items.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="env-table">
            <caption className="sr-only">{t('admin.env.title')}</caption>
            <thead className="border-b text-left text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.env.key')}</th>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.env.type')}</th>
                <th scope="col" className="px-4 py-3 font-medium">{t('admin.env.value')}</th>
                <th scope="col" className="hidden px-4 py-3 font-medium md:table-cell">{t('admin.env.updated')}</th>
                <th scope="col" className="px-4 py-3 text-right font-medium">
                  <span className="sr-only">{t('admin.common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr key={v.key} className="border-b last:border-0" data-testid="env-row" data-key={v.key}>
                  <th scope="row" className="px-4 py-3 text-left font-mono font-medium">{v.key}</th>
                  <td className="px-4 py-3">
                    <Badge variant="secondary">{t(`admin.env.types.${v.type}`)}</Badge>
                  </td>
                  <td className="max-w-xs px-4 py-3">
                    <div className="flex items-center gap-2">
                      <span className={cn('truncate font-mono text-xs', v.secret && 'text-muted-foreground')} data-testid="env-value">
                        {envValuePreview(v.type, v.value, v.secret)}
                      </span>
                      {v.secret && <Badge variant="outline">{t('admin.env.secret')}</Badge>}
                    </div>
                  </td>
                  <td className="hidden px-4 py-3 text-xs text-muted-foreground md:table-cell">{dateFmt.format(new Date(v.updated_at))}</td>
                  <td className="px-4 py-3">
                    <div className="flex justify-end gap-1">
                      <Button variant="ghost" size="icon" aria-label={t('admin.env.edit', { key: v.key })} onClick={() => setEditing({ mode: 'edit', value: v })}>
                        <PencilIcon aria-hidden="true" />
                      </Button>
                      <Button variant="ghost" size="icon" aria-label={t('admin.env.delete', { key: v.key })} onClick={() => setDeleting(v)}>
                        <Trash2Icon aria-hidden="true" />
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      <EnvDialog projectId={id} editing={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => {
          if (!o) {
            setDeleting(null);
            del.reset();
          }
        }}
        title={t('admin.env.deleteTitle')}
        description={t('admin.env.deleteText', { key: deleting?.key ?? '' })}
        confirmLabel={t('admin.common.delete')}
        pending={del.isPending}
        error={del.error}
        onConfirm={() => {
          if (deleting)
            del.mutate(deleting.key, {
              onSuccess: () => {
                toast.success(t('admin.env.deletedToast', { key: deleting.key }));
                setDeleting(null);
              },
            });
        }}
      />
    </div>
  );
}

function EnvDialog({ projectId, editing, onClose }: { projectId: string; editing: Editing | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog open={!!editing} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{editing?.mode === 'edit' ? t('admin.env.editTitle') : t('admin.env.addTitle')}</DialogTitle>
          <DialogDescription>{t('admin.env.dialogText')}</DialogDescription>
        </DialogHeader>
        {editing && <EnvForm key={editing.mode === 'edit' ? editing.value.key : ''} projectId={projectId} editing={editing} onDone={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

function EnvForm({ projectId, editing, onDone }: { projectId: string; editing: Editing; onDone: () => void }) {
  const { t } = useTranslation();
  const save = useSaveEnv(projectId);
  const existing = editing.mode === 'edit' ? editing.value : null;
  const [key, setKey] = useState(existing?.key ?? '');
  const [type, setType] = useState<EnvType>(existing?.type ?? 'string');
  const [secret, setSecret] = useState(existing?.secret ?? false);
  // A stored secret is never shown: its editor starts empty ("keep the value").
  const [raw, setRaw] = useState<string | boolean>(
    existing && !existing.secret ? envValueToInput(existing.type, existing.value) : type === 'boolean' ? false : '',
  );
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState(false);
  // A stored secret is kept unless a new value is given (a checkbox counts once changed).
  const keepSecret = !!existing?.secret && (type === 'boolean' ? !touched : raw === '');
  const edit = (v: string | boolean) => {
    setRaw(v);
    setTouched(true);
  };

  const keyError = existing ? null : validateEnvKey(key);
  const parsed = keepSecret ? null : parseEnvValue(type, raw);
  const valueError: EnvInputError | null =
    existing?.secret && !secret && keepSecret ? { key: 'valueRequired' } : parsed && !parsed.ok ? parsed.error : null;
  // JSON is checked as it is typed; the rest once the form was submitted.
  const showValueError = valueError && (submitted || type === 'json');
  const describe = (e: EnvInputError | null) => (e ? t(`admin.env.errors.${e.key}`) + (e.detail ? `: ${e.detail}` : '') : undefined);

  function changeType(next: EnvType) {
    if (next === 'boolean') setRaw(raw === true || raw === 'true');
    else if (type === 'boolean') setRaw(raw === true ? 'true' : 'false');
    setType(next);
  }

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (keyError || valueError) return;
    const value = parsed?.ok ? parsed.value : undefined;
    const req = existing
      ? { create: false as const, key: existing.key, body: { type, secret, ...(keepSecret ? {} : { value }) } }
      : { create: true as const, body: { key, type, secret, value } };
    save.mutate(req, {
      onSuccess: () => {
        toast.success(t('admin.env.savedToast', { key: existing?.key ?? key }));
        onDone();
      },
    });
  };

  const serverFieldError = (f: string) => (save.error instanceof ApiError ? save.error.fields[f] : undefined);
  const valueId = 'env-value-input';
  const valueMessage = (showValueError ? describe(valueError) : undefined) ?? serverFieldError('value');
  const valueProps = {
    id: valueId,
    'aria-invalid': !!valueMessage,
    'aria-describedby': valueMessage ? 'env-value-error' : existing?.secret ? 'env-value-hint' : undefined,
    placeholder: existing?.secret ? t('admin.env.keepSecret') : undefined,
  };

  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      {save.error && !(save.error instanceof ApiError && Object.keys(save.error.fields).length > 0) && (
        <Alert variant="destructive" data-testid="env-save-error">
          {errorMessage(t, save.error)}
        </Alert>
      )}
      <FormRow
        label={t('admin.env.key')}
        htmlFor="env-key"
        hint={t('admin.env.keyHint')}
        hintId="env-key-hint"
        error={(submitted && describe(keyError)) || serverFieldError('key')}
      >
        <Input
          id="env-key"
          className="font-mono"
          value={key}
          disabled={!!existing}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={submitted && !!keyError}
          aria-describedby={submitted && keyError ? 'env-key-error' : 'env-key-hint'}
          autoFocus={!existing}
          autoComplete="off"
        />
      </FormRow>
      <FormRow label={t('admin.env.type')} htmlFor="env-type">
        <Select id="env-type" value={type} onChange={(e) => changeType(e.target.value as EnvType)}>
          {ENV_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {t(`admin.env.types.${ty}`)}
            </option>
          ))}
        </Select>
      </FormRow>
      <div className="grid gap-2">
        {type === 'boolean' ? (
          <Checkbox id={valueId} label={t('admin.env.booleanLabel')} checked={raw === true} onChange={(e) => edit(e.target.checked)} />
        ) : (
          <>
            <Label htmlFor={valueId}>{t('admin.env.value')}</Label>
            {type === 'text' || type === 'json' ? (
              <MaskedTextarea
                masked={secret}
                {...valueProps}
                className={cn('font-mono text-xs', type === 'json' ? 'min-h-40' : 'min-h-28')}
                value={String(raw)}
                onChange={(e) => edit(e.target.value)}
                spellCheck={false}
              />
            ) : secret ? (
              <SecretInput {...valueProps} className="font-mono" value={String(raw)} onChange={(e) => edit(e.target.value)} autoComplete="off" />
            ) : (
              <Input
                {...valueProps}
                className="font-mono"
                inputMode={type === 'integer' ? 'numeric' : type === 'float' ? 'decimal' : undefined}
                value={String(raw)}
                onChange={(e) => edit(e.target.value)}
                autoComplete="off"
              />
            )}
          </>
        )}
        {existing?.secret && (
          <p id="env-value-hint" className="text-xs text-muted-foreground">
            {t('admin.env.secretHint')}
          </p>
        )}
        <FieldError id="env-value-error">{valueMessage}</FieldError>
        {type === 'json' && !valueMessage && !keepSecret && String(raw).trim() !== '' && (
          <p className="text-xs text-success" data-testid="env-json-ok">
            {t('admin.env.jsonOk')}
          </p>
        )}
      </div>
      <Checkbox
        label={t('admin.env.secret')}
        description={t('admin.env.secretText')}
        checked={secret}
        onChange={(e) => setSecret(e.target.checked)}
        data-testid="env-secret"
      />
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" disabled={save.isPending} data-testid="env-save">
          {save.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
          {t('admin.common.save')}
        </Button>
      </DialogFooter>
    </form>
  );
}

// A textarea that hides its text (secret text and JSON) until revealed.
function MaskedTextarea({ masked, className, ...props }: React.ComponentProps<'textarea'> & { masked: boolean }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  const hide = masked && !shown;
  return (
    <div className="grid gap-1">
      <Textarea {...props} className={cn(className, hide && '[-webkit-text-security:disc]')} />
      {masked && (
        <Button variant="ghost" size="sm" className="justify-self-start" aria-pressed={shown} onClick={() => setShown((s) => !s)} data-testid="reveal">
          {shown ? t('common.hide') : t('common.reveal')}
        </Button>
      )}
    </div>
  );
}
