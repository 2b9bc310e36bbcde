import { useState } from 'react';
import { zodResolver } from '@hookform/resolvers/zod';
import { CheckIcon, CopyIcon, Loader2Icon } from 'lucide-react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@/api/errors';
import { useCreateProject, type Project } from '@/api/projects';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { ColorPicker } from '@/components/ui/color-picker';
import type { ProjectColor } from '@/lib/colors';
import { errorMessage } from '@/lib/error-message';
import { projectCreateSchema, slugFromName, type ProjectCreateForm } from '@/lib/project-schema';

type Created = Project & { api_key?: string };

// One instance per page, opened by any number of buttons (the header's, the
// empty state's): it must outlive the empty state, which unmounts as soon as
// the new project is in the list.
export function CreateProjectDialog({ open, setOpen }: { open: boolean; setOpen: (open: boolean) => void }) {
  const { t } = useTranslation();
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useCreateProject();
  const form = useForm<ProjectCreateForm>({
    resolver: zodResolver(projectCreateSchema),
    defaultValues: { name: '', slug: '', color: null },
  });
  const { register, handleSubmit, formState, setValue, setError, watch, reset } = form;
  const slugTouched = formState.dirtyFields.slug;
  const color = watch('color') as ProjectColor | null;

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      reset();
      create.reset();
      setCreated(null);
      setCopied(false);
    }
  }

  const onSubmit = handleSubmit(async (values) => {
    try {
      const p = await create.mutateAsync({ name: values.name, slug: values.slug, color: values.color as Project['color'] });
      setCreated(p as Created);
    } catch (err) {
      // The server's per-field problems go next to their inputs.
      // A taken slug (409) reads as a translated sentence; the server's other
      // field messages (400) are shown as it wrote them.
      if (err instanceof ApiError) {
        const taken = err.code === 'CONFLICT' || err.code === 'UNIQUE_VIOLATION';
        for (const [field, msg] of Object.entries(err.fields)) {
          if (field === 'name' || field === 'slug' || field === 'color')
            setError(field, { message: taken ? 'errors.UNIQUE_VIOLATION' : msg });
        }
      }
    }
  });

  const fieldError = (msg: string | undefined) =>
    msg ? t(msg as 'validation.required', { defaultValue: msg }) : undefined;
  const nameError = fieldError(formState.errors.name?.message);
  const slugError = fieldError(formState.errors.slug?.message);
  const formError =
    create.error && !(create.error instanceof ApiError && Object.keys(create.error.fields).length > 0)
      ? errorMessage(t, create.error)
      : null;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('createProject.title')}</DialogTitle>
          <DialogDescription>{t('createProject.description')}</DialogDescription>
        </DialogHeader>
        {created ? (
          <div className="grid gap-4" data-testid="project-created">
            <p className="flex items-center gap-2 text-sm font-medium">
              <CheckIcon className="size-4 text-success" aria-hidden="true" />
              {t('createProject.created', { name: created.name })}
            </p>
            {created.api_key && (
              <div className="grid gap-2">
                <p className="text-sm text-muted-foreground">{t('createProject.apiKeyNote')}</p>
                <div className="flex gap-2">
                  <Input readOnly value={created.api_key} aria-label={t('createProject.apiKey')} className="font-mono text-xs" />
                  <Button
                    variant="outline"
                    onClick={() => {
                      void navigator.clipboard?.writeText(created.api_key ?? '').then(() => setCopied(true));
                    }}
                  >
                    {copied ? <CheckIcon aria-hidden="true" /> : <CopyIcon aria-hidden="true" />}
                    {copied ? t('createProject.copied') : t('createProject.copy')}
                  </Button>
                </div>
              </div>
            )}
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)} data-testid="create-done">
                {t('createProject.done')}
              </Button>
            </DialogFooter>
          </div>
        ) : (
          <form className="grid gap-4" onSubmit={onSubmit} noValidate>
            {formError && (
              <Alert variant="destructive" data-testid="create-error">
                {formError}
              </Alert>
            )}
            <div className="grid gap-2">
              <Label htmlFor="project-name">{t('createProject.name')}</Label>
              <Input
                id="project-name"
                placeholder={t('createProject.namePlaceholder')}
                aria-invalid={!!nameError}
                aria-describedby={nameError ? 'project-name-error' : undefined}
                autoFocus
                {...register('name', {
                  onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
                    if (!slugTouched) setValue('slug', slugFromName(e.target.value), { shouldValidate: formState.isSubmitted });
                  },
                })}
              />
              {nameError && (
                <p id="project-name-error" className="text-sm text-destructive">
                  {nameError}
                </p>
              )}
            </div>
            <div className="grid gap-2">
              <Label htmlFor="project-slug">{t('createProject.slug')}</Label>
              <Input
                id="project-slug"
                className="font-mono"
                aria-invalid={!!slugError}
                aria-describedby={slugError ? 'project-slug-error project-slug-hint' : 'project-slug-hint'}
                {...register('slug')}
              />
              <p id="project-slug-hint" className="text-xs text-muted-foreground">
                {t('createProject.slugHint')}
              </p>
              {slugError && (
                <p id="project-slug-error" className="text-sm text-destructive">
                  {slugError}
                </p>
              )}
            </div>
            <ColorPicker legend={t('createProject.color')} value={color} onChange={(c) => setValue('color', c, { shouldDirty: true })} />
            <DialogFooter>
              <Button variant="outline" onClick={() => onOpenChange(false)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" disabled={create.isPending} data-testid="create-submit">
                {create.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
                {create.isPending ? t('common.creating') : t('common.create')}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
