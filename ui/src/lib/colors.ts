import type { components } from '@/api/schema';

export type ProjectColor = NonNullable<components['schemas']['ProjectColor']>;

// The 16 system colours of a project (ProjectColor in the OpenAPI document).
// Class names are written out in full so Tailwind's scanner keeps them.
export const PROJECT_COLORS: Record<ProjectColor, string> = {
  slate: 'bg-slate-500',
  red: 'bg-red-500',
  orange: 'bg-orange-500',
  amber: 'bg-amber-500',
  yellow: 'bg-yellow-400',
  lime: 'bg-lime-500',
  green: 'bg-green-500',
  emerald: 'bg-emerald-500',
  teal: 'bg-teal-500',
  cyan: 'bg-cyan-500',
  sky: 'bg-sky-500',
  blue: 'bg-blue-500',
  indigo: 'bg-indigo-500',
  violet: 'bg-violet-500',
  purple: 'bg-purple-500',
  pink: 'bg-pink-500',
};

export const PROJECT_COLOR_NAMES = Object.keys(PROJECT_COLORS) as ProjectColor[];

export function colorClass(color: ProjectColor | null | undefined): string {
  return color ? PROJECT_COLORS[color] : 'bg-muted-foreground/40';
}

// A project's avatar (its colour as a square with the name's first letter, so it
// does not read as a status light): a darker shade of the colour, white text at AA.
const AVATAR: Record<ProjectColor, string> = {
  slate: 'bg-slate-600',
  red: 'bg-red-700',
  orange: 'bg-orange-700',
  amber: 'bg-amber-700',
  yellow: 'bg-yellow-700',
  lime: 'bg-lime-700',
  green: 'bg-green-700',
  emerald: 'bg-emerald-700',
  teal: 'bg-teal-700',
  cyan: 'bg-cyan-700',
  sky: 'bg-sky-700',
  blue: 'bg-blue-700',
  indigo: 'bg-indigo-600',
  violet: 'bg-violet-700',
  purple: 'bg-purple-700',
  pink: 'bg-pink-700',
};

export function avatarClass(color: ProjectColor | null | undefined): string {
  return color ? AVATAR[color] : 'bg-muted-foreground';
}
