import { useEffect, useMemo, useRef, useState } from 'react';
import {
  ArrowDownIcon,
  ArrowUpDownIcon,
  ArrowUpIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  FilterIcon,
  PencilIcon,
  PlusIcon,
  Settings2Icon,
  Trash2Icon,
  XIcon,
} from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useDeleteRecord, useModel, useModels, useRecords } from '@/api/data';
import { ApiError } from '@/api/errors';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { parseFilterError, quoteFilterValue, type FilterErrorInfo } from '@/lib/filter-error';
import { keepShown, pageState, selectRows } from '@/lib/selection';
import { cellText, nextSort, sortableColumns, tableColumns, type Model, type RecordData } from '@/lib/model-form';
import { cn } from '@/lib/utils';
import { Select } from '@/components/ui/field';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { BulkDelete, SelectAllBox } from './BulkDelete';
import { FilterErrorView } from './FilterErrorView';
import { ProjectCrumbs } from './ProjectCrumbs';
import { RecordFormDialog } from './RecordFormDialog';
import { recordLabel } from './RefPicker';

const PER_PAGE = [10, 30, 100];

export default function RecordsPage() {
  const { id = '', model: name = '' } = useParams();
  const { t } = useTranslation();
  const model = useModel(id, name);
  if (model.isPending)
    return (
      <div className="space-y-4" aria-busy="true">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-64 w-full" />
      </div>
    );
  if (model.isError)
    return (
      <div className="space-y-6">
        <ProjectCrumbs projectId={id} items={[{ label: t('data.models.title'), to: `/projects/${id}/data` }, { label: name }]} />
        <ErrorState title={t('data.records.modelError')} error={model.error} onRetry={() => void model.refetch()} />
      </div>
    );
  return <Records projectId={id} model={model.data} />;
}

function Records({ projectId, model }: { projectId: string; model: Model }) {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const applied = params.get('filter') ?? '';
  const sort = params.get('sort') ?? model.table_config.default_sort ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const perPage = PER_PAGE.includes(Number(params.get('per'))) ? Number(params.get('per')) : 30;
  const [draft, setDraft] = useState(applied);
  const [quick, setQuick] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<RecordData | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<RecordData | null>(null);
  const del = useDeleteRecord(projectId, model.name);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const anchor = useRef<number | null>(null);
  const models = useModels(projectId);

  useEffect(() => setDraft(applied), [applied]);
  useEffect(() => {
    document.title = `${model.name} · m3m`;
  }, [model.name]);

  const update = (patch: Record<string, string | null>) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      for (const [k, v] of Object.entries(patch)) (v === null || v === '' ? n.delete(k) : n.set(k, v));
      return n;
    });

  const byKey = useMemo(() => new Map(model.fields.map((f) => [f.key, f])), [model]);
  const columns = tableColumns(model);
  const sortable = sortableColumns(model);
  const quickFields = (model.table_config.filters ?? []).map((k) => byKey.get(k)).filter((f) => f && (f.type === 'select' || f.type === 'bool'));
  const quickParts = Object.entries(quick)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => {
      const f = byKey.get(k);
      if (f?.type === 'bool') return `${k} = ${v}`;
      return `${k} ${f?.multiple ? '?=' : '='} ${quoteFilterValue(v)}`;
    });
  // The typed filter comes first (in parentheses when quick filters follow), so an
  // error's position maps back to it (offset 0 or 1).
  const wrap = applied !== '' && quickParts.length > 0;
  const offset = wrap ? 1 : 0;
  const effective = [applied ? (wrap ? `(${applied})` : applied) : '', ...quickParts].filter(Boolean).join(' && ');
  const refColumns = columns.filter((k) => byKey.get(k)?.type === 'ref');
  const query = { filter: effective || undefined, sort: sort || undefined, page, perPage, expand: refColumns.join(',') || undefined };
  const records = useRecords(projectId, model.name, query);

  const filterProblem =
    records.error instanceof ApiError && records.error.fields['filter'] !== undefined ? records.error.fields['filter'] : null;
  let filterInfo: FilterErrorInfo | null = null;
  if (filterProblem !== null) {
    const info = parseFilterError(effective, filterProblem);
    const at = info.index === null ? -1 : info.index - offset;
    const inTyped = applied !== '' && at >= 0 && at <= applied.length;
    filterInfo = inTyped ? { ...info, index: at, length: Math.min(info.length, applied.length - at) } : { ...info, index: null };
  }
  const sortProblem = records.error instanceof ApiError ? records.error.fields['sort'] : undefined;
  const otherError = records.isError && filterProblem === null && sortProblem === undefined;

  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'short' });
  const data = records.data;
  const items = data?.items ?? [];
  const total = data?.total_items ?? 0;
  const totalPages = Math.max(1, data?.total_pages ?? 1);
  const ids = useMemo(() => items.map((r) => r.id), [items]);
  // The selection keeps only the rows shown (a page change, a filter, a delete).
  useEffect(() => {
    setSelected((s) => keepShown(s, ids));
    anchor.current = null;
  }, [ids]);
  const header = (k: string) => {
    const dir = sort === k ? 'ascending' : sort === `-${k}` ? 'descending' : 'none';
    const Icon = dir === 'ascending' ? ArrowUpIcon : dir === 'descending' ? ArrowDownIcon : ArrowUpDownIcon;
    return (
      <th key={k} scope="col" aria-sort={dir} className="px-3 py-2 text-left font-medium whitespace-nowrap">
        {sortable.has(k) ? (
          <button
            type="button"
            className="inline-flex items-center gap-1 rounded outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
            onClick={() => update({ sort: nextSort(sort, k) || null, page: null })}
            data-testid={`sort-${k}`}
          >
            <span className="font-mono">{k}</span>
            <Icon className={cn('size-3.5', dir === 'none' && 'opacity-40')} aria-hidden="true" />
            <span className="sr-only">{t('data.records.sortBy', { key: k })}</span>
          </button>
        ) : (
          <span className="font-mono">{k}</span>
        )}
      </th>
    );
  };
  const cell = (r: RecordData, k: string) => {
    const f = byKey.get(k);
    if (k === 'created' || k === 'updated') return dateFmt.format(new Date(r[k]));
    if (f?.type === 'ref') {
      const target = models.data?.items.find((m) => m.name === f.model);
      const ex = r.expand?.[k];
      const list = (Array.isArray(ex) ? ex : ex ? [ex] : []) as RecordData[];
      const ids = Array.isArray(r[k]) ? (r[k] as string[]) : r[k] ? [String(r[k])] : [];
      return ids.map((x) => recordLabel(target, list.find((e) => e.id === x), x)).join(', ');
    }
    if (f?.type === 'bool') return r[k] === true ? '✓' : r[k] === false ? '—' : '';
    return cellText(f, r[k], dateFmt);
  };

  return (
    <div className="space-y-5">
      <ProjectCrumbs projectId={projectId} items={[{ label: t('data.models.title'), to: `/projects/${projectId}/data` }, { label: model.name }]} />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h2 className="truncate font-mono text-xl font-semibold tracking-tight" data-testid="model-title">
            {model.name}
          </h2>
          {model.description && <p className="text-sm text-muted-foreground">{model.description}</p>}
        </div>
        <div className="flex gap-2">
          <Button variant="outline" asChild>
            <Link to={`/projects/${projectId}/data/${encodeURIComponent(model.name)}/schema`} data-testid="edit-schema">
              <Settings2Icon aria-hidden="true" />
              {t('data.records.schema')}
            </Link>
          </Button>
          <Button
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
            data-testid="new-record"
            aria-haspopup="dialog"
          >
            <PlusIcon aria-hidden="true" />
            {t('data.records.new')}
          </Button>
        </div>
      </div>

      <form
        className="space-y-2"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ filter: draft.trim() || null, page: null });
        }}
      >
        <label htmlFor="record-filter" className="text-sm font-medium">
          {t('data.filter.label')}
        </label>
        <div className="flex flex-wrap gap-2">
          <div className="relative min-w-64 flex-1">
            <FilterIcon className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground" aria-hidden="true" />
            <Input
              id="record-filter"
              className="pl-8 font-mono"
              value={draft}
              spellCheck={false}
              autoComplete="off"
              placeholder={t('data.filter.placeholder')}
              aria-invalid={!!filterInfo}
              aria-describedby={filterInfo ? 'filter-error filter-help' : 'filter-help'}
              onChange={(e) => setDraft(e.target.value)}
              data-testid="record-filter"
            />
          </div>
          {quickFields.map((f) => (
            <Select
              key={f!.key}
              className="w-auto"
              aria-label={t('data.filter.quick', { key: f!.key })}
              value={quick[f!.key] ?? ''}
              onChange={(e) => {
                setQuick({ ...quick, [f!.key]: e.target.value });
                update({ page: null });
              }}
            >
              <option value="">{t('data.filter.any', { key: f!.key })}</option>
              {(f!.type === 'bool' ? ['true', 'false'] : (f!.values ?? [])).map((v) => (
                <option key={v} value={v}>
                  {f!.key}: {v}
                </option>
              ))}
            </Select>
          ))}
          <Button type="submit" variant="secondary" data-testid="apply-filter">
            {t('data.filter.apply')}
          </Button>
          {applied && (
            <Button type="button" variant="ghost" onClick={() => update({ filter: null, page: null })}>
              <XIcon aria-hidden="true" />
              {t('data.filter.clear')}
            </Button>
          )}
        </div>
        <p id="filter-help" className="text-xs text-muted-foreground">
          {t('data.filter.help')}
        </p>
        {filterInfo && <FilterErrorView filter={applied} info={filterInfo} />}
        {sortProblem && (
          <p role="alert" className="text-sm text-destructive">
            {t('data.records.sortError', { message: sortProblem })}
          </p>
        )}
      </form>

      {otherError && <ErrorState title={t('data.records.loadError')} error={records.error} onRetry={() => void records.refetch()} />}

      <BulkDelete projectId={projectId} model={model.name} selected={selected} onChange={setSelected} />

      <Card className="overflow-hidden">
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="records-table" aria-busy={records.isFetching}>
            <caption className="sr-only">{t('data.records.caption', { model: model.name })}</caption>
            <thead className="border-b bg-muted/40 text-muted-foreground">
              <tr>
                <th scope="col" className="w-10 px-3 py-2">
                  <SelectAllBox state={pageState(selected, ids)} disabled={ids.length === 0} onChange={(on) => setSelected(on ? new Set(ids) : new Set())} />
                </th>
                {columns.map(header)}
                <th scope="col" className="px-3 py-2 text-right">
                  <span className="sr-only">{t('data.records.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {records.isPending &&
                [0, 1, 2].map((i) => (
                  <tr key={i} className="border-b last:border-0">
                    <td colSpan={columns.length + 2} className="px-3 py-2">
                      <Skeleton className="h-5 w-full" />
                    </td>
                  </tr>
                ))}
              {records.isSuccess && items.length === 0 && (
                <tr>
                  <td colSpan={columns.length + 2} className="px-3 py-12 text-center text-muted-foreground" data-testid="records-empty">
                    {effective ? t('data.records.noMatch') : t('data.records.empty')}
                  </td>
                </tr>
              )}
              {!records.isError &&
                items.map((r, i) => (
                  <tr
                    key={r.id}
                    className={cn('border-b last:border-0 hover:bg-muted/30', selected.has(r.id) && 'bg-primary/5')}
                    aria-selected={selected.has(r.id)}
                    data-testid="record-row"
                  >
                    <td className="w-10 px-3 py-2">
                      <input
                        type="checkbox"
                        className="size-4 accent-primary align-middle"
                        aria-label={t('data.bulk.selectRow', { id: r.id })}
                        checked={selected.has(r.id)}
                        onClick={(e) => {
                          // onClick (not onChange): the shift key of the click selects a range.
                          const { checked } = e.currentTarget;
                          const from = anchor.current;
                          const shift = e.shiftKey;
                          setSelected((s) => selectRows(s, ids, i, checked, from, shift));
                          anchor.current = i;
                        }}
                        onChange={() => {}}
                        data-testid="select-row"
                      />
                    </td>
                    {columns.map((k) => (
                      <td key={k} className="max-w-72 truncate px-3 py-2" title={cell(r, k)}>
                        {cell(r, k)}
                      </td>
                    ))}
                    <td className="px-2 py-1 text-right whitespace-nowrap">
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={t('data.records.edit', { id: r.id })}
                        onClick={() => {
                          setEditing(r);
                          setFormOpen(true);
                        }}
                        data-testid="edit-record"
                      >
                        <PencilIcon aria-hidden="true" />
                      </Button>
                      <Button variant="ghost" size="icon" aria-label={t('data.records.delete', { id: r.id })} onClick={() => setDeleting(r)} data-testid="delete-record">
                        <Trash2Icon aria-hidden="true" />
                      </Button>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </Card>

      <nav className="flex flex-wrap items-center justify-between gap-3 text-sm" aria-label={t('data.records.paging')}>
        <p className="text-muted-foreground" data-testid="records-count">
          {data && !records.isError
            ? t('data.records.range', { from: total === 0 ? 0 : (page - 1) * perPage + 1, to: (page - 1) * perPage + items.length, count: total })
            : ''}
        </p>
        <div className="flex items-center gap-2">
          <label htmlFor="per-page" className="text-muted-foreground">
            {t('data.records.perPage')}
          </label>
          <Select id="per-page" className="w-24" value={perPage} onChange={(e) => update({ per: e.target.value, page: null })}>
            {PER_PAGE.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </Select>
          <Button variant="outline" size="icon" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })} aria-label={t('data.records.prev')}>
            <ChevronLeftIcon aria-hidden="true" />
          </Button>
          <span aria-live="polite">{t('data.records.pageOf', { page, pages: totalPages })}</span>
          <Button variant="outline" size="icon" disabled={page >= totalPages} onClick={() => update({ page: String(page + 1) })} aria-label={t('data.records.next')} data-testid="next-page">
            <ChevronRightIcon aria-hidden="true" />
          </Button>
        </div>
      </nav>

      <RecordFormDialog projectId={projectId} model={model} record={editing} open={formOpen} onOpenChange={setFormOpen} />
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(v) => !v && setDeleting(null)}
        title={t('data.records.deleteTitle')}
        description={t('data.records.deleteText', { label: deleting ? recordLabel(model, deleting, deleting.id) : '' })}
        confirmLabel={t('data.records.deleteConfirm')}
        onConfirm={() => del.mutateAsync(deleting!.id)}
      />
    </div>
  );
}
