import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './errors';
import { projectKeys } from './projects';
import { codeKeys } from './code';
import type { components } from './schema';

// Run control (start/stop/restart), the run log and the project's goals summary.
export type LogPage = components['schemas']['LogPage'];
export type Goal = components['schemas']['Goal'];
export type GoalStats = components['schemas']['GoalStats'];

export const runKeys = {
  logTail: (id: string, n: number) => ['run', id, 'tail', n] as const,
  goals: (id: string) => ['run', id, 'goals'] as const,
  goalStats: (id: string) => ['run', id, 'goalStats'] as const,
};

export type RunAction = { kind: 'start'; version?: string } | { kind: 'stop' } | { kind: 'restart' };

export function useRunAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (a: RunAction) => {
      const path = { params: { path: { id } } };
      if (a.kind === 'start')
        return unwrap(await api.POST('/api/projects/{id}/start', { ...path, body: a.version ? { version: a.version } : {} }));
      if (a.kind === 'stop') return unwrap(await api.POST('/api/projects/{id}/stop', path));
      return unwrap(await api.POST('/api/projects/{id}/restart', path));
    },
    onSuccess: (status) => {
      qc.setQueryData(projectKeys.status(id), status);
      void qc.invalidateQueries({ queryKey: projectKeys.all });
      void qc.invalidateQueries({ queryKey: codeKeys.releases(id) });
    },
  });
}

// A page of the log; `prev_cursor` (servers that page backwards) is the byte
// offset where its first line starts (0: nothing older).
export type LogPageWithPrev = LogPage & { prev_cursor?: number };

export async function fetchLogTail(id: string, tail: number): Promise<LogPageWithPrev> {
  return unwrap(await api.GET('/api/projects/{id}/logs', { params: { path: { id }, query: { tail } } }));
}

// The last `limit` lines that end at or before byte offset `before`.
export async function fetchLogBefore(id: string, before: number, limit: number): Promise<LogPageWithPrev> {
  return unwrap(await api.GET('/api/projects/{id}/logs', { params: { path: { id }, query: { before, limit } } }));
}

export function useLogTail(id: string, tail: number) {
  return useQuery({ queryKey: runKeys.logTail(id, tail), queryFn: () => fetchLogTail(id, tail), refetchInterval: 5_000 });
}

// The live tail's body (text/event-stream), read with the session's token.
// A reconnect passes the last event's id too (Last-Event-ID, as EventSource would).
export async function openLogStream(
  id: string,
  cursor: number,
  signal: AbortSignal,
  lastEventId?: string | null,
): Promise<ReadableStream<Uint8Array>> {
  const r = await api.GET('/api/projects/{id}/logs/stream', {
    params: { path: { id }, query: { cursor } },
    parseAs: 'stream',
    signal,
    headers: { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
  });
  if (!r.response.ok || !r.data) throw unwrapError(r);
  return r.data as unknown as ReadableStream<Uint8Array>;
}

function unwrapError(r: { error?: unknown; response: Response }): Error {
  try {
    unwrap(r);
  } catch (e) {
    return e as Error;
  }
  return new Error(`HTTP ${r.response.status}`);
}

export async function downloadLog(id: string): Promise<Blob> {
  const r = await api.GET('/api/projects/{id}/logs/download', { params: { path: { id } }, parseAs: 'blob' });
  if (!r.response.ok) throw unwrapError(r);
  return r.data as unknown as Blob;
}

export function useProjectGoals(id: string) {
  return useQuery({
    queryKey: runKeys.goals(id),
    queryFn: async () =>
      (unwrap(await api.GET('/api/projects/{id}/goals', { params: { path: { id } } })).items ?? []) as Goal[],
  });
}

// Totals of the project's goals over the last 30 days (the server's default period).
export function useGoalStats(id: string, goalIds: string[]) {
  return useQuery({
    queryKey: [...runKeys.goalStats(id), goalIds.join(',')],
    enabled: goalIds.length > 0,
    queryFn: async () => unwrap(await api.GET('/api/goals/stats', { params: { query: { goals: goalIds.join(',') } } })),
  });
}
