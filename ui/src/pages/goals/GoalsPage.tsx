import { lazy, Suspense, useEffect, useState } from 'react';
import { Loader2Icon, PencilIcon, PlusIcon, TargetIcon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useAuth } from '@/auth';
import { ApiError } from '@/api/errors';
import { useDeleteGoal, useGoals, useGoalStats, useSaveGoal, type Goal } from '@/api/goals';
import { useProjects } from '@/api/projects';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { ColorPicker } from '@/components/ui/color-picker';
import type { ProjectColor } from '@/lib/colors';
import { errorMessage } from '@/lib/error-message';
import { chartRows, GOAL_SLUG_RE, goalColor, lastDays, slugFromGoalName } from '@/lib/goals';
import { cn } from '@/lib/utils';
import { Checkbox, FieldError, Select, Textarea, FormRow } from '@/components/ui/field';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

const GoalChart = lazy(() => import('./GoalChart'));
const PERIODS = [7, 30, 90, 365] as const;

// Goals: global ones (/goals) or a project's (/projects/:id/goals); totals and
// a chart per day over a chosen period.
export default function GoalsPage() {
  const { id } = useParams();
  const projectId = id ?? null;
  // Inside a project the layout has the h1 (the project); the global page has its own.
  const Heading = projectId ? 'h2' : 'h1';
  const { t, i18n } = useTranslation();
  const { session } = useAuth();
  const canEdit = projectId !== null || !!session?.user.is_root;
  const goals = useGoals(projectId);
  const [days, setDays] = useState<number | null>(30);
  const [custom, setCustom] = useState(() => lastDays(30));
  const period = days ? lastDays(days) : custom;
  const items = goals.data ?? [];
  const stats = useGoalStats(
    items.map((g) => g.id),
    period.from,
    period.to,
  );
  const [editing, setEditing] = useState<Goal | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [deleting, setDeleting] = useState<Goal | null>(null);
  const del = useDeleteGoal(projectId);

  useEffect(() => {
    document.title = `${t('data.goals.title')} · m3m`;
  }, [t]);

  const byId = new Map((stats.data?.goals ?? []).map((g) => [g.id, g]));
  const daily = items.filter((g) => g.type === 'daily_counter');
  const rows = chartRows(stats.data?.goals ?? []);
  const newButton = canEdit && (
    <Button
      onClick={() => {
        setEditing(null);
        setDialogOpen(true);
      }}
      data-testid="new-goal"
      aria-haspopup="dialog"
    >
      <PlusIcon aria-hidden="true" />
      {t('data.goals.new')}
    </Button>
  );

  return (
    <div className={cn(!projectId && 'mx-auto max-w-5xl', 'space-y-6')}>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <Heading className={cn('font-semibold tracking-tight', projectId ? 'text-xl' : 'text-2xl')}>
            {projectId ? t('data.goals.projectTitle') : t('data.goals.globalTitle')}
          </Heading>
          <p className="text-sm text-muted-foreground">{projectId ? t('data.goals.projectSubtitle') : t('data.goals.globalSubtitle')}</p>
        </div>
        {items.length > 0 && newButton}
      </div>

      {goals.isPending && <Skeleton className="h-40 w-full" />}
      {goals.isError && <ErrorState title={t('data.goals.loadError')} error={goals.error} onRetry={() => void goals.refetch()} />}
      {goals.isSuccess && items.length === 0 && (
        <Card className="flex flex-col items-center gap-3 px-6 py-16 text-center" data-testid="goals-empty">
          <div className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
            <TargetIcon className="size-6" aria-hidden="true" />
          </div>
          <h2 className="text-lg font-semibold">{t('data.goals.emptyTitle')}</h2>
          <p className="max-w-sm text-sm text-muted-foreground">{t('data.goals.emptyText')}</p>
          {newButton}
        </Card>
      )}

      {items.length > 0 && (
        <>
          <fieldset className="flex flex-wrap items-end gap-2">
            <legend className="mb-2 text-sm font-medium">{t('data.goals.period')}</legend>
            {PERIODS.map((d) => (
              <Button key={d} size="sm" variant={days === d ? 'default' : 'outline'} aria-pressed={days === d} onClick={() => setDays(d)} data-testid={`period-${d}`}>
                {t('data.goals.lastDays', { count: d })}
              </Button>
            ))}
            <Button size="sm" variant={days === null ? 'default' : 'outline'} aria-pressed={days === null} onClick={() => setDays(null)}>
              {t('data.goals.custom')}
            </Button>
            {days === null && (
              <div className="flex items-end gap-2">
                <div className="grid gap-1">
                  <Label htmlFor="goal-from" className="text-xs">
                    {t('data.goals.from')}
                  </Label>
                  <Input id="goal-from" type="date" className="h-8" value={custom.from} max={custom.to} onChange={(e) => e.target.value && setCustom({ ...custom, from: e.target.value })} />
                </div>
                <div className="grid gap-1">
                  <Label htmlFor="goal-to" className="text-xs">
                    {t('data.goals.to')}
                  </Label>
                  <Input id="goal-to" type="date" className="h-8" value={custom.to} min={custom.from} onChange={(e) => e.target.value && setCustom({ ...custom, to: e.target.value })} />
                </div>
              </div>
            )}
          </fieldset>

          {stats.isError && <ErrorState title={t('data.goals.statsError')} error={stats.error} onRetry={() => void stats.refetch()} />}

          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="goals-list">
            {items.map((g, i) => {
              const s = byId.get(g.id);
              return (
                <li key={g.id}>
                  <Card className="h-full space-y-2 p-4" data-testid="goal-card">
                    <div className="flex items-start justify-between gap-2">
                      <div className="min-w-0">
                        <h2 className="flex items-center gap-2 truncate font-semibold">
                          <span className="size-2.5 shrink-0 rounded-full" style={{ background: goalColor(g.color, i) }} aria-hidden="true" />
                          {g.name}
                        </h2>
                        <p className="truncate font-mono text-xs text-muted-foreground">{g.full_slug}</p>
                      </div>
                      <Badge variant="secondary">{t(`data.goals.types.${g.type}`)}</Badge>
                    </div>
                    <p className="text-3xl font-semibold tabular-nums" data-testid="goal-total">
                      {s ? s.total.toLocaleString(i18n.resolvedLanguage) : stats.isPending ? <Skeleton className="h-9 w-16" /> : '—'}
                    </p>
                    <p className="text-xs text-muted-foreground">{g.type === 'daily_counter' ? t('data.goals.inPeriod') : t('data.goals.allTime')}</p>
                    {canEdit && (
                      <div className="flex justify-end gap-1">
                        <Button
                          variant="ghost"
                          size="icon"
                          aria-label={t('data.goals.edit', { name: g.name })}
                          onClick={() => {
                            setEditing(g);
                            setDialogOpen(true);
                          }}
                        >
                          <PencilIcon aria-hidden="true" />
                        </Button>
                        <Button variant="ghost" size="icon" aria-label={t('data.goals.delete', { name: g.name })} onClick={() => setDeleting(g)}>
                          <Trash2Icon aria-hidden="true" />
                        </Button>
                      </div>
                    )}
                  </Card>
                </li>
              );
            })}
          </ul>

          <Card>
            <CardHeader>
              <CardTitle>{t('data.goals.perDay')}</CardTitle>
            </CardHeader>
            <CardContent>
              {daily.length === 0 ? (
                <p className="text-sm text-muted-foreground">{t('data.goals.noDaily')}</p>
              ) : stats.isPending ? (
                <Skeleton className="h-72 w-full" />
              ) : (
                <Suspense fallback={<Skeleton className="h-72 w-full" />}>
                  <GoalChart
                    rows={rows}
                    locale={i18n.resolvedLanguage ?? 'en'}
                    label={t('data.goals.chartLabel', { from: period.from, to: period.to })}
                    series={daily.map((g) => ({ id: g.id, name: g.name, color: goalColor(g.color, items.indexOf(g)) }))}
                  />
                </Suspense>
              )}
            </CardContent>
          </Card>
        </>
      )}

      <GoalDialog projectId={projectId} goal={editing} open={dialogOpen} onOpenChange={setDialogOpen} />
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(v) => !v && setDeleting(null)}
        title={t('data.goals.deleteTitle', { name: deleting?.name ?? '' })}
        description={t('data.goals.deleteText')}
        confirmLabel={t('data.goals.deleteConfirm')}
        onConfirm={() => del.mutateAsync(deleting!.id)}
      />
    </div>
  );
}

function GoalDialog({ projectId, goal, open, onOpenChange }: { projectId: string | null; goal: Goal | null; open: boolean; onOpenChange: (v: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} data-testid="goal-dialog">
        <DialogHeader>
          <DialogTitle>{goal ? t('data.goals.editTitle') : t('data.goals.newTitle')}</DialogTitle>
          <DialogDescription>{t('data.goals.dialogHint')}</DialogDescription>
        </DialogHeader>
        {open && <GoalForm projectId={projectId} goal={goal} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function GoalForm({ projectId, goal, onDone }: { projectId: string | null; goal: Goal | null; onDone: () => void }) {
  const { t } = useTranslation();
  const save = useSaveGoal(projectId);
  const projects = useProjects();
  const [name, setName] = useState(goal?.name ?? '');
  const [slug, setSlug] = useState(goal?.slug ?? '');
  const [slugTouched, setSlugTouched] = useState(!!goal);
  const [type, setType] = useState<Goal['type']>(goal?.type ?? 'daily_counter');
  const [color, setColor] = useState<ProjectColor | null>(goal?.color ?? null);
  const [description, setDescription] = useState(goal?.description ?? '');
  const [allowed, setAllowed] = useState<string[]>(goal?.allowed_projects ?? []);
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local['name'] = t('validation.required');
    if (!GOAL_SLUG_RE.test(slug)) local['slug'] = t('data.goals.slugRule');
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await save.mutateAsync({
        id: goal?.id,
        body: {
          name: name.trim(),
          slug,
          color: color as Goal['color'],
          description,
          ...(goal ? {} : { type }),
          ...(projectId ? {} : { allowed_projects: allowed }),
        },
      });
      onDone();
    } catch (err) {
      if (err instanceof ApiError) {
        const taken = err.code === 'CONFLICT';
        setErrors(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, taken ? t('errors.UNIQUE_VIOLATION') : v])));
      }
    }
  }
  const general = save.isError && !(save.error instanceof ApiError && Object.keys(save.error.fields).length > 0);

  return (
    <form className="grid gap-4" onSubmit={(e) => void onSubmit(e)} noValidate>
      {general && <Alert variant="destructive">{errorMessage(t, save.error)}</Alert>}
      <FormRow label={t('data.goals.name')} htmlFor="goal-name" error={errors['name']}>
        <Input
          id="goal-name"
          autoFocus
          value={name}
          aria-invalid={!!errors['name']}
          aria-describedby={errors['name'] ? 'goal-name-error' : undefined}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugTouched) setSlug(slugFromGoalName(e.target.value));
          }}
        />
      </FormRow>
      <FormRow label={t('data.goals.slug')} htmlFor="goal-slug" error={errors['slug']}>
        <Input
          id="goal-slug"
          className="font-mono"
          value={slug}
          aria-invalid={!!errors['slug']}
          aria-describedby={errors['slug'] ? 'goal-slug-error goal-slug-hint' : 'goal-slug-hint'}
          onChange={(e) => {
            setSlug(e.target.value);
            setSlugTouched(true);
          }}
        />
        <p id="goal-slug-hint" className="text-xs text-muted-foreground">
          {projectId ? t('data.goals.slugHintProject') : t('data.goals.slugHintGlobal')}
        </p>
      </FormRow>
      <div className="grid gap-2">
        <Label htmlFor="goal-type">{t('data.goals.type')}</Label>
        <Select id="goal-type" value={type} disabled={!!goal} onChange={(e) => setType(e.target.value as Goal['type'])} aria-describedby="goal-type-hint">
          <option value="daily_counter">{t('data.goals.types.daily_counter')}</option>
          <option value="counter">{t('data.goals.types.counter')}</option>
        </Select>
        <p id="goal-type-hint" className="text-xs text-muted-foreground">
          {t('data.goals.typeHint')}
        </p>
      </div>
      <ColorPicker legend={t('createProject.color')} value={color} onChange={setColor} small />
      <div className="grid gap-2">
        <Label htmlFor="goal-description">{t('data.goals.description')}</Label>
        <Textarea id="goal-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      {!projectId && (
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">{t('data.goals.allowedProjects')}</legend>
          <p className="text-xs text-muted-foreground">{t('data.goals.allowedHint')}</p>
          <div className="flex max-h-40 flex-col gap-2 overflow-y-auto">
            {(projects.data?.items ?? []).map((p) => (
              <Checkbox
                key={p.id}
                label={p.name}
                checked={allowed.includes(p.id)}
                onChange={(e) => setAllowed(e.target.checked ? [...allowed, p.id] : allowed.filter((x) => x !== p.id))}
              />
            ))}
          </div>
          <FieldError>{errors['allowed_projects']}</FieldError>
        </fieldset>
      )}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" disabled={save.isPending} data-testid="goal-save">
          {save.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
          {goal ? t('data.goals.save') : t('common.create')}
        </Button>
      </DialogFooter>
    </form>
  );
}
