import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { toApiError, unwrap } from './errors';
import { projectKeys } from './projects';
import type { components } from './schema';

// The pipeline (branches with their drafts, releases) and the runtime's
// TypeScript declarations for the code editor.
export type Branch = components['schemas']['Branch'];
export type Release = components['schemas']['Release'];
export type ReleaseCreate = components['schemas']['ReleaseCreate'];
export type ReleaseTag = components['schemas']['ReleaseTag'];
export type BranchCreate = components['schemas']['BranchCreate'];

export const RELEASE_TAGS: ReleaseTag[] = ['stable', 'hot-fix', 'night-build', 'develop'];

export const codeKeys = {
  all: (id: string) => ['code', id] as const,
  branches: (id: string) => ['code', id, 'branches'] as const,
  branch: (id: string, name: string) => ['code', id, 'branch', name] as const,
  releases: (id: string) => ['code', id, 'releases'] as const,
  types: (id: string) => ['code', id, 'types'] as const,
};

export function useBranches(id: string) {
  return useQuery({
    queryKey: codeKeys.branches(id),
    queryFn: async () =>
      (unwrap(await api.GET('/api/projects/{id}/pipeline/branches', { params: { path: { id }, query: { per_page: 500 } } })).items ??
        []) as Branch[],
  });
}

export async function fetchBranch(id: string, name: string): Promise<Branch> {
  return unwrap(await api.GET('/api/projects/{id}/pipeline/branches/{name}', { params: { path: { id, name } } }));
}

export function useBranch(id: string, name: string) {
  return useQuery({
    queryKey: codeKeys.branch(id, name),
    queryFn: () => fetchBranch(id, name),
    // The editor keeps its own buffer; a refetch must not overwrite edits behind its back.
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });
}

export function useReleases(id: string) {
  return useQuery({
    queryKey: codeKeys.releases(id),
    queryFn: async () =>
      (unwrap(await api.GET('/api/projects/{id}/pipeline/releases', { params: { path: { id }, query: { per_page: 500 } } })).items ??
        []) as Release[],
  });
}

// Saves a draft; a stale revision rejects with the ApiError (409) for the caller to resolve.
export async function saveDraft(id: string, name: string, code: string, revision: number): Promise<Branch> {
  return unwrap(
    await api.PUT('/api/projects/{id}/pipeline/branches/{name}', { params: { path: { id, name } }, body: { code, revision } }),
  );
}

export function useCreateBranch(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: BranchCreate) =>
      unwrap(await api.POST('/api/projects/{id}/pipeline/branches', { params: { path: { id } }, body })),
    onSuccess: (b) => {
      qc.setQueryData(codeKeys.branch(id, b.name), b);
      void qc.invalidateQueries({ queryKey: codeKeys.branches(id) });
    },
  });
}

export function useResetBranch(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, version }: { name: string; version: string }) =>
      unwrap(await api.POST('/api/projects/{id}/pipeline/branches/{name}/reset', { params: { path: { id, name } }, body: { version } })),
    onSuccess: (b) => {
      qc.setQueryData(codeKeys.branch(id, b.name), b);
      void qc.invalidateQueries({ queryKey: codeKeys.branches(id) });
    },
  });
}

export function useDeleteBranch(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) =>
      unwrap(await api.DELETE('/api/projects/{id}/pipeline/branches/{name}', { params: { path: { id, name } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: codeKeys.branches(id) }),
  });
}

export function usePublish(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ReleaseCreate) =>
      unwrap(await api.POST('/api/projects/{id}/pipeline/releases', { params: { path: { id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: codeKeys.releases(id) });
      void qc.invalidateQueries({ queryKey: projectKeys.one(id) });
    },
  });
}

export function useActivateRelease(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (version: string) =>
      unwrap(await api.POST('/api/projects/{id}/pipeline/releases/{version}/activate', { params: { path: { id, version } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: codeKeys.releases(id) });
      void qc.invalidateQueries({ queryKey: projectKeys.one(id) });
    },
  });
}

// Deletes releases one by one; stops at the first refusal (the active or running one: 409).
export function useDeleteReleases(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (versions: string[]) => {
      for (const version of versions)
        unwrap(await api.DELETE('/api/projects/{id}/pipeline/releases/{version}', { params: { path: { id, version } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: codeKeys.releases(id) }),
  });
}

export async function fetchRelease(id: string, version: string): Promise<Release> {
  return unwrap(await api.GET('/api/projects/{id}/pipeline/releases/{version}', { params: { path: { id, version } } }));
}

// The runtime's declarations with the project's models; polled (and refetched
// on focus) so a model changed on another page or by someone else shows up.
export function useRuntimeTypes(id: string) {
  return useQuery({
    queryKey: codeKeys.types(id),
    queryFn: async () => {
      const r = await api.GET('/api/runtime/types', { params: { query: { project_id: id } }, parseAs: 'text' });
      if (!r.response.ok) throw toApiError(r.response.status, safeJson(r.error));
      return r.data as unknown as string;
    },
    refetchInterval: 20_000,
    refetchOnWindowFocus: true,
  });
}

function safeJson(v: unknown) {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}
