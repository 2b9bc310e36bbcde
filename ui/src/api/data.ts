import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Model, RecordData } from '@/lib/model-form';
import type { ModelInput } from '@/lib/model-builder';
import { api } from './client';
import { unwrap } from './errors';

// Models and records of a project (docs/models.md).

export type RecordList = { items: RecordData[]; page: number; per_page: number; total_items: number; total_pages: number };
export interface RecordQuery {
  filter?: string;
  sort?: string;
  page?: number;
  perPage?: number;
  expand?: string;
}

export const dataKeys = {
  models: (projectId: string) => ['data', projectId, 'models'] as const,
  model: (projectId: string, model: string) => ['data', projectId, 'model', model] as const,
  records: (projectId: string, model: string) => ['data', projectId, 'records', model] as const,
  recordList: (projectId: string, model: string, q: RecordQuery) => ['data', projectId, 'records', model, q] as const,
};

export function useModels(projectId: string) {
  return useQuery({
    queryKey: dataKeys.models(projectId),
    queryFn: async () =>
      unwrap(await api.GET('/api/projects/{id}/models', { params: { path: { id: projectId }, query: { per_page: 500 } } })) as {
        items: Model[];
        total_items: number;
      },
  });
}

export function useModel(projectId: string, model: string, enabled = true) {
  return useQuery({
    queryKey: dataKeys.model(projectId, model),
    enabled: enabled && !!model,
    queryFn: async () =>
      unwrap(await api.GET('/api/projects/{id}/models/{model}', { params: { path: { id: projectId, model } } })) as Model,
  });
}

export function useSaveModel(projectId: string, model?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ModelInput): Promise<Model> =>
      model
        ? (unwrap(await api.PUT('/api/projects/{id}/models/{model}', { params: { path: { id: projectId, model } }, body })) as Model)
        : (unwrap(await api.POST('/api/projects/{id}/models', { params: { path: { id: projectId } }, body })) as Model),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['data', projectId] }),
  });
}

export function useDeleteModel(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (model: string) =>
      unwrap(await api.DELETE('/api/projects/{id}/models/{model}', { params: { path: { id: projectId, model } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['data', projectId] }),
  });
}

export async function fetchRecords(projectId: string, model: string, q: RecordQuery): Promise<RecordList> {
  const query: Record<string, string | number> = { page: q.page ?? 1, per_page: q.perPage ?? 30 };
  if (q.filter) query['filter'] = q.filter;
  if (q.sort) query['sort'] = q.sort;
  if (q.expand) query['expand'] = q.expand;
  return unwrap(
    await api.GET('/api/projects/{id}/models/{model}/data', { params: { path: { id: projectId, model }, query } }),
  ) as RecordList;
}

export function useRecords(projectId: string, model: string, q: RecordQuery, enabled = true) {
  return useQuery({
    queryKey: dataKeys.recordList(projectId, model, q),
    queryFn: () => fetchRecords(projectId, model, q),
    placeholderData: keepPreviousData,
    enabled,
    retry: (count, err) => count < 2 && !(err instanceof Error && 'status' in err && (err as { status: number }).status < 500),
  });
}

export function useRecordsByIds(projectId: string, model: string, ids: string[]) {
  const filter = ids.map((id) => `id = '${id.replace(/[^a-z0-9]/g, '')}'`).join(' || ');
  return useQuery({
    queryKey: [...dataKeys.records(projectId, model), 'ids', ids],
    enabled: ids.length > 0 && !!model,
    queryFn: () => fetchRecords(projectId, model, { filter, perPage: Math.min(500, ids.length) }),
  });
}

export function useSaveRecord(projectId: string, model: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: string; body: Record<string, unknown> }) =>
      id
        ? unwrap(
            await api.PATCH('/api/projects/{id}/models/{model}/data/{recordId}', {
              params: { path: { id: projectId, model, recordId: id } },
              body,
            }),
          )
        : unwrap(await api.POST('/api/projects/{id}/models/{model}/data', { params: { path: { id: projectId, model } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['data', projectId, 'records'] }),
  });
}

export async function deleteRecord(projectId: string, model: string, recordId: string) {
  return unwrap(
    await api.DELETE('/api/projects/{id}/models/{model}/data/{recordId}', {
      params: { path: { id: projectId, model, recordId } },
    }),
  );
}

export function useDeleteRecord(projectId: string, model: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (recordId: string) => deleteRecord(projectId, model, recordId),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['data', projectId, 'records'] }),
  });
}

// Refetches the model's records (after a bulk change).
export function useRefreshRecords(projectId: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['data', projectId, 'records'] });
}
