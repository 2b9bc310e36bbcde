import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './errors';
import type { components } from './schema';

export type Project = components['schemas']['Project'];
export type ProjectCreate = components['schemas']['ProjectCreate'];
export type RunStatus = components['schemas']['RunStatus'];
// ProjectList is allOf(ListEnvelope, {items: Project[]}); the envelope's generic
// items (unknown[]) would win the intersection, so the element type is restated.
export type ProjectList = Omit<components['schemas']['ProjectList'], 'items'> & { items: Project[] };

export const projectKeys = {
  all: ['projects'] as const,
  list: () => [...projectKeys.all, 'list'] as const,
  one: (id: string) => [...projectKeys.all, 'one', id] as const,
  status: (id: string) => [...projectKeys.all, 'status', id] as const,
};

export function useProjects() {
  return useQuery({
    queryKey: projectKeys.list(),
    queryFn: async (): Promise<ProjectList> =>
      unwrap(await api.GET('/api/projects', { params: { query: { per_page: 500 } } })) as ProjectList,
  });
}

export function useProject(id: string) {
  return useQuery({
    queryKey: projectKeys.one(id),
    queryFn: async () => unwrap(await api.GET('/api/projects/{id}', { params: { path: { id } } })),
  });
}

export function useProjectStatus(id: string) {
  return useQuery({
    queryKey: projectKeys.status(id),
    queryFn: async () => unwrap(await api.GET('/api/projects/{id}/status', { params: { path: { id } } })),
    refetchInterval: 5_000,
  });
}

export function useCreateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ProjectCreate) => unwrap(await api.POST('/api/projects', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: projectKeys.all }),
  });
}
