import type { components } from '@/api/schema';

type ProjectColor = NonNullable<components['schemas']['ProjectColor']>;

// Chart colours of the 16 system colours (Tailwind's 500 shades), for SVG strokes.
export const COLOR_HEX: Record<ProjectColor, string> = {
  slate: '#64748b', red: '#ef4444', orange: '#f97316', amber: '#f59e0b', yellow: '#eab308', lime: '#84cc16',
  green: '#22c55e', emerald: '#10b981', teal: '#14b8a6', cyan: '#06b6d4', sky: '#0ea5e9', blue: '#3b82f6',
  indigo: '#6366f1', violet: '#8b5cf6', purple: '#a855f7', pink: '#ec4899',
};
const FALLBACK = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4'];

export function goalColor(color: ProjectColor | null | undefined, i: number): string {
  return color ? COLOR_HEX[color] : FALLBACK[i % FALLBACK.length]!;
}

/** A UTC day as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The period of the last `days` days ending today (UTC), both ends included. */
export function lastDays(days: number, today = new Date()): { from: string; to: string } {
  const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

export type DayRow = { date: string } & Record<string, number | string>;

/** Stats per goal → one row per day with a column per daily goal (what a line chart plots). */
export function chartRows(goals: { id: string; type: string; days?: { date: string; value: number }[] }[]): DayRow[] {
  const rows = new Map<string, DayRow>();
  for (const g of goals) {
    if (g.type !== 'daily_counter') continue;
    for (const d of g.days ?? []) {
      const row = rows.get(d.date) ?? { date: d.date };
      row[g.id] = d.value;
      rows.set(d.date, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Goal slug rule of the API (GoalInput.slug). */
export const GOAL_SLUG_RE = /^[a-z0-9_][a-z0-9_-]{0,62}[a-z0-9_]?$/;

export function slugFromGoalName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}
