// Paths of the project's file storage: relative, '/'-separated, '' is the root.

export function normalizePath(p: string): string {
  return p
    .split('/')
    .filter((s) => s && s !== '.')
    .join('/');
}

export function joinPath(dir: string, name: string): string {
  return normalizePath(dir ? `${dir}/${name}` : name);
}

export function parentPath(p: string): string {
  const parts = normalizePath(p).split('/');
  parts.pop();
  return parts.join('/');
}

export function baseName(p: string): string {
  return normalizePath(p).split('/').pop() ?? '';
}

export interface Crumb {
  name: string;
  path: string;
}

// The folders from the root down to p (the root first, with an empty name).
export function breadcrumbs(p: string): Crumb[] {
  const parts = normalizePath(p).split('/').filter(Boolean);
  const out: Crumb[] = [{ name: '', path: '' }];
  parts.forEach((name, i) => out.push({ name, path: parts.slice(0, i + 1).join('/') }));
  return out;
}

// A file or folder name the server accepts: no separators, not '.' or '..'.
export function nameProblem(name: string): 'required' | 'slash' | 'dots' | null {
  const n = name.trim();
  if (!n) return 'required';
  if (/[/\\]/.test(n)) return 'slash';
  if (n === '.' || n === '..') return 'dots';
  return null;
}

// A move target: a relative path without '..' segments.
export function targetProblem(p: string): 'required' | 'dots' | null {
  const n = normalizePath(p.trim());
  if (!n) return 'required';
  if (n.split('/').some((s) => s === '..')) return 'dots';
  return null;
}

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp)$/i;
const TEXT_EXT = /\.(txt|md|markdown|json|ya?ml|csv|tsv|js|mjs|cjs|ts|jsx|tsx|css|scss|html?|xml|svg|ini|toml|conf|cfg|env|log|sql|sh|py|rb|go|rs|c|h|cpp|hpp|java|kt|php)$/i;

export function isImage(entry: { name: string; mime_type: string; is_dir: boolean }): boolean {
  if (entry.is_dir) return false;
  return (entry.mime_type.startsWith('image/') && entry.mime_type !== 'image/svg+xml') || IMAGE_EXT.test(entry.name);
}

export function isText(entry: { name: string; mime_type: string; is_dir: boolean }): boolean {
  if (entry.is_dir) return false;
  const m = entry.mime_type;
  return (
    TEXT_EXT.test(entry.name) ||
    m.startsWith('text/') ||
    m === 'application/json' ||
    m === 'application/javascript' ||
    m === 'application/xml' ||
    m === 'image/svg+xml'
  );
}

export function formatBytes(n: number, locale?: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v)} ${units[i]}`;
}

// Upload progress of several files sent as one request.
export function percent(loaded: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.round((loaded / total) * 100));
}
