import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './errors';
import type { components } from './schema';

// Goals (analytics counters), global or per project, and their statistics (docs/api.md, "Goals").

export type Goal = components['schemas']['Goal'];
export type GoalInput = components['schemas']['GoalInput'];
export type GoalStats = components['schemas']['GoalStats'];

export const goalKeys = {
  all: ['goals'] as const,
  list: (projectId: string | null) => ['goals', 'list', projectId ?? 'global'] as const,
  stats: (ids: string[], from: string, to: string) => ['goals', 'stats', ids.join(','), from, to] as const,
};

export function useGoals(projectId: string | null) {
  return useQuery({
    queryKey: goalKeys.list(projectId),
    queryFn: async (): Promise<Goal[]> => {
      const r = projectId
        ? unwrap(await api.GET('/api/projects/{id}/goals', { params: { path: { id: projectId }, query: { per_page: 500 } } }))
        : unwrap(await api.GET('/api/goals', { params: { query: { per_page: 500 } } }));
      return (r as { items: Goal[] }).items;
    },
  });
}

export function useGoalStats(ids: string[], from: string, to: string) {
  return useQuery({
    queryKey: goalKeys.stats(ids, from, to),
    enabled: ids.length > 0,
    queryFn: async () => unwrap(await api.GET('/api/goals/stats', { params: { query: { goals: ids.join(','), from, to } } })),
    refetchInterval: 30_000,
  });
}

export function useSaveGoal(projectId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: string; body: GoalInput }): Promise<Goal> => {
      if (projectId)
        return id
          ? unwrap(await api.PUT('/api/projects/{id}/goals/{goalId}', { params: { path: { id: projectId, goalId: id } }, body }))
          : unwrap(await api.POST('/api/projects/{id}/goals', { params: { path: { id: projectId } }, body }));
      return id
        ? unwrap(await api.PUT('/api/goals/{goalId}', { params: { path: { goalId: id } }, body }))
        : unwrap(await api.POST('/api/goals', { body }));
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: goalKeys.all }),
  });
}

export function useDeleteGoal(projectId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      projectId
        ? unwrap(await api.DELETE('/api/projects/{id}/goals/{goalId}', { params: { path: { id: projectId, goalId: id } } }))
        : unwrap(await api.DELETE('/api/goals/{goalId}', { params: { path: { goalId: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: goalKeys.all }),
  });
}
