import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, authFetch, baseUrl } from './client';
import { toApiError, unwrap } from './errors';
import { projectKeys, type Project } from './projects';
import type { components } from './schema';
import { getSession, setSession, sessionFromTokens, type User } from './session';

// Hooks of the admin area: environment, files, project settings and members,
// users, the caller's profile.

type S = components['schemas'];
export type EnvValue = S['EnvValue'];
export type EnvCreate = S['EnvCreate'];
export type EnvUpdate = S['EnvUpdate'];
export type StorageEntry = S['StorageEntry'];
export type StorageLink = S['StorageLink'];
export type Member = S['Member'];
export type ProjectUpdate = S['ProjectUpdate'];
export type UserCreate = S['UserCreate'];
export type UserUpdate = S['UserUpdate'];
// The list envelopes' generic items (unknown[]) would win the intersection: restated.
type ListOf<T> = Omit<S['ListEnvelope'], 'items'> & { items: T[] };

export const adminKeys = {
  env: (id: string) => ['env', id] as const,
  storage: (id: string) => ['storage', id] as const,
  folder: (id: string, path: string) => ['storage', id, 'list', path] as const,
  usage: (id: string) => ['storage', id, 'usage'] as const,
  links: (id: string) => ['storage', id, 'links'] as const,
  text: (id: string, path: string) => ['storage', id, 'text', path] as const,
  members: (id: string) => ['members', id] as const,
  users: ['users'] as const,
  userList: (search: string, page: number) => ['users', 'list', search, page] as const,
};

// --- environment --------------------------------------------------------------

export function useEnv(projectId: string) {
  return useQuery({
    queryKey: adminKeys.env(projectId),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/projects/{id}/env', { params: { path: { id: projectId }, query: { per_page: 500 } } }),
      ) as ListOf<EnvValue>,
  });
}

export function useSaveEnv(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { create: true; body: EnvCreate } | { create: false; key: string; body: EnvUpdate }) =>
      v.create
        ? unwrap(await api.POST('/api/projects/{id}/env', { params: { path: { id: projectId } }, body: v.body }))
        : unwrap(
            await api.PUT('/api/projects/{id}/env/{key}', { params: { path: { id: projectId, key: v.key } }, body: v.body }),
          ),
    onSuccess: () => qc.invalidateQueries({ queryKey: adminKeys.env(projectId) }),
  });
}

export function useDeleteEnv(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (key: string) =>
      unwrap(await api.DELETE('/api/projects/{id}/env/{key}', { params: { path: { id: projectId, key } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: adminKeys.env(projectId) }),
  });
}

// --- files --------------------------------------------------------------------

export function useFolder(projectId: string, path: string) {
  return useQuery({
    queryKey: adminKeys.folder(projectId, path),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/projects/{id}/storage', {
          params: { path: { id: projectId }, query: { path: path || undefined, per_page: 500 } },
        }),
      ) as ListOf<StorageEntry>,
    placeholderData: keepPreviousData,
  });
}

export function useStorageUsage(projectId: string) {
  return useQuery({
    queryKey: adminKeys.usage(projectId),
    queryFn: async () =>
      unwrap(await api.GET('/api/projects/{id}/storage/usage', { params: { path: { id: projectId } } })),
  });
}

export function useStorageLinks(projectId: string) {
  return useQuery({
    queryKey: adminKeys.links(projectId),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/projects/{id}/storage/links', {
          params: { path: { id: projectId }, query: { per_page: 500 } },
        }),
      ) as ListOf<StorageLink>,
  });
}

export function useTextFile(projectId: string, path: string | null) {
  return useQuery({
    queryKey: adminKeys.text(projectId, path ?? ''),
    enabled: path !== null,
    gcTime: 0,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/projects/{id}/storage/file/{filePath}', {
          params: { path: { id: projectId, filePath: path ?? '' } },
        }),
      ),
  });
}

// Every storage change refreshes the folder lists, the usage and the links.
export function useStorageAction<A, R = unknown>(projectId: string, fn: (a: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => qc.invalidateQueries({ queryKey: adminKeys.storage(projectId) }),
  });
}

export const storageApi = {
  mkdir: async (id: string, path: string) =>
    unwrap(await api.POST('/api/projects/{id}/storage/mkdir', { params: { path: { id } }, body: { path } })),
  createText: async (id: string, path: string, content: string) =>
    unwrap(await api.POST('/api/projects/{id}/storage/file', { params: { path: { id } }, body: { path, content } })),
  saveText: async (id: string, filePath: string, content: string) =>
    unwrap(
      await api.PUT('/api/projects/{id}/storage/file/{filePath}', { params: { path: { id, filePath } }, body: { content } }),
    ),
  rename: async (id: string, from: string, to: string) =>
    unwrap(await api.PUT('/api/projects/{id}/storage/rename', { params: { path: { id } }, body: { from, to } })),
  remove: async (id: string, filePath: string) =>
    unwrap(await api.DELETE('/api/projects/{id}/storage/{filePath}', { params: { path: { id, filePath } } })),
  createLink: async (id: string, path: string) =>
    unwrap(await api.POST('/api/projects/{id}/storage/links', { params: { path: { id } }, body: { path } })),
  // `link`: the link's id from the list, or the token this browser got when creating it.
  revokeLink: async (id: string, link: string) =>
    unwrap(await api.DELETE('/api/projects/{id}/storage/links/{link}', { params: { path: { id, link } } })),
};

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

// A file's bytes with the caller's token (thumbnails and downloads need it, so
// a plain <img src> or <a href> cannot be used).
export async function fetchStorageBlob(
  projectId: string,
  kind: 'thumbnail' | 'download',
  path: string,
  signal?: AbortSignal,
): Promise<Blob> {
  const id = encodeURIComponent(projectId);
  const url =
    kind === 'thumbnail'
      ? `${baseUrl}/api/projects/${id}/storage/thumbnail/${encodePath(path)}`
      : `${baseUrl}/api/projects/${id}/storage/download/${encodePath(path)}`;
  const res = await authFetch(new Request(url, { signal }));
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    throw toApiError(res.status, body);
  }
  return res.blob();
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

// Uploads files into a folder with progress (fetch cannot report an upload's
// progress, so this is an XMLHttpRequest). A 401 refreshes the session through
// the typed client once and retries.
export function uploadFiles(
  projectId: string,
  folder: string,
  files: File[],
  onProgress: (p: UploadProgress) => void,
): { promise: Promise<StorageEntry[]>; abort: () => void } {
  let xhr: XMLHttpRequest | null = null;
  let aborted = false;
  const send = () =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const form = new FormData();
      for (const f of files) form.append('file', f, f.name);
      const url = new URL(`${baseUrl}/api/projects/${encodeURIComponent(projectId)}/storage/upload`);
      if (folder) url.searchParams.set('path', folder);
      xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      const token = getSession()?.accessToken;
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(xhr!.responseText);
        } catch {
          body = xhr!.responseText;
        }
        resolve({ status: xhr!.status, body });
      };
      xhr.onerror = () => reject(new TypeError('network error'));
      xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
      xhr.send(form);
    });
  const promise = (async () => {
    let r = await send();
    if (r.status === 401 && !aborted) {
      await api.GET('/api/users/me'); // refreshes the token pair (or ends the session)
      r = await send();
    }
    if (r.status < 200 || r.status >= 300) throw toApiError(r.status, r.body);
    return (r.body as S['StorageUploaded']).items;
  })();
  return {
    promise,
    abort: () => {
      aborted = true;
      (xhr as XMLHttpRequest | null)?.abort();
    },
  };
}

// Tokens of the public links this browser created (the API shows a token only
// once; revoking needs it), by project: token_hint + path → token.
const LINKS_KEY = 'm3m.links';

type LinkTokens = Record<string, Record<string, string>>;

function readLinkTokens(): LinkTokens {
  try {
    return (JSON.parse(localStorage.getItem(LINKS_KEY) ?? '{}') as LinkTokens) ?? {};
  } catch {
    return {};
  }
}

export const linkTokens = {
  key: (l: { token_hint: string; path: string }) => `${l.token_hint}|${l.path}`,
  get(projectId: string, l: { token_hint: string; path: string }): string | undefined {
    return readLinkTokens()[projectId]?.[linkTokens.key(l)];
  },
  set(projectId: string, l: { token_hint: string; path: string }, token: string | null) {
    const all = readLinkTokens();
    const mine = { ...(all[projectId] ?? {}) };
    if (token) mine[linkTokens.key(l)] = token;
    else delete mine[linkTokens.key(l)];
    all[projectId] = mine;
    try {
      localStorage.setItem(LINKS_KEY, JSON.stringify(all));
    } catch {
      /* storage unavailable */
    }
  },
};

// --- project settings ---------------------------------------------------------

export function useUpdateProject(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ProjectUpdate) =>
      unwrap(await api.PUT('/api/projects/{id}', { params: { path: { id: projectId } }, body })),
    onSuccess: (p: Project) => {
      qc.setQueryData(projectKeys.one(projectId), p);
      void qc.invalidateQueries({ queryKey: projectKeys.list() });
    },
  });
}

export function useDeleteProject(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/projects/{id}', { params: { path: { id: projectId } } })),
    onSuccess: () => {
      qc.removeQueries({ queryKey: projectKeys.one(projectId) });
      void qc.invalidateQueries({ queryKey: projectKeys.list() });
    },
  });
}

export function useRegenerateKey(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/projects/{id}/regenerate-key', { params: { path: { id: projectId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: projectKeys.one(projectId) }),
  });
}

export function useMembers(projectId: string) {
  return useQuery({
    queryKey: adminKeys.members(projectId),
    queryFn: async () =>
      unwrap(await api.GET('/api/projects/{id}/members', { params: { path: { id: projectId } } })) as ListOf<Member>,
  });
}

export function useMemberAction(projectId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (a: { add: boolean; userId: string }) =>
      a.add
        ? unwrap(
            await api.POST('/api/projects/{id}/members', { params: { path: { id: projectId } }, body: { user_id: a.userId } }),
          )
        : unwrap(
            await api.DELETE('/api/projects/{id}/members/{userId}', {
              params: { path: { id: projectId, userId: a.userId } },
            }),
          ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: adminKeys.members(projectId) });
      void qc.invalidateQueries({ queryKey: adminKeys.users });
    },
  });
}

// --- users --------------------------------------------------------------------

export function useUsers(search = '', page = 1, enabled = true) {
  return useQuery({
    queryKey: adminKeys.userList(search, page),
    enabled,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/users', { params: { query: { search: search || undefined, page, per_page: 50 } } }),
      ) as ListOf<User>,
  });
}

export function useUserAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      a:
        | { kind: 'create'; body: UserCreate }
        | { kind: 'update'; id: string; body: UserUpdate }
        | { kind: 'block' | 'unblock' | 'delete'; id: string },
    ): Promise<unknown> => {
      switch (a.kind) {
        case 'create':
          return unwrap(await api.POST('/api/users', { body: a.body }));
        case 'update':
          return unwrap(await api.PUT('/api/users/{id}', { params: { path: { id: a.id } }, body: a.body }));
        case 'block':
          return unwrap(await api.POST('/api/users/{id}/block', { params: { path: { id: a.id } } }));
        case 'unblock':
          return unwrap(await api.POST('/api/users/{id}/unblock', { params: { path: { id: a.id } } }));
        case 'delete':
          return unwrap(await api.DELETE('/api/users/{id}', { params: { path: { id: a.id } } }));
      }
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: adminKeys.users });
      void qc.invalidateQueries({ queryKey: ['members'] });
    },
  });
}

// --- profile ------------------------------------------------------------------

// The account's language: null follows the browser.
export type AccountLanguage = 'en' | 'ru' | null;

// The account's language (undefined: a session kept from before the server had one).
export function accountLanguage(user: User): AccountLanguage | undefined {
  const l: unknown = user.language;
  return l === 'en' || l === 'ru' || l === null ? l : undefined;
}

// The session keeps the caller's account (the header shows it): every change
// of the account is written back into it.
function keepUser(user: User) {
  const s = getSession();
  if (s) setSession({ ...s, user });
}

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const me = unwrap(await api.GET('/api/users/me'));
      keepUser(me);
      return me;
    },
  });
}

export function useProfileAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      a:
        | { kind: 'update'; name: string; email: string }
        | { kind: 'language'; name: string; email: string; language: AccountLanguage }
        | { kind: 'password'; current: string; next: string }
        | { kind: 'avatar'; file: File }
        | { kind: 'removeAvatar' },
    ): Promise<User> => {
      switch (a.kind) {
        case 'update':
          return unwrap(await api.PUT('/api/users/me', { body: { name: a.name, email: a.email } }));
        case 'language':
          return unwrap(
            await api.PUT('/api/users/me', { body: { name: a.name, email: a.email, language: a.language } }),
          );
        case 'password': {
          const tokens = unwrap(
            await api.PUT('/api/users/me/password', { body: { current_password: a.current, new_password: a.next } }),
          );
          setSession(sessionFromTokens(tokens)); // the older tokens stopped working
          return tokens.user;
        }
        case 'avatar':
          return unwrap(
            await api.PUT('/api/users/me/avatar', {
              body: { avatar: a.file as unknown as string },
              bodySerializer: (b: { avatar: string }) => {
                const f = new FormData();
                f.append('avatar', b.avatar as unknown as Blob);
                return f;
              },
            }),
          );
        case 'removeAvatar':
          return unwrap(await api.DELETE('/api/users/me/avatar'));
      }
    },
    onSuccess: (user) => {
      keepUser(user);
      qc.setQueryData(['me'], user);
      void qc.invalidateQueries({ queryKey: adminKeys.users });
    },
  });
}
