import { CodeIcon, DatabaseIcon, LayoutDashboardIcon, PlayIcon, TargetIcon } from 'lucide-react';

// The project's sub-navigation (tabs under the project's title). Each area adds
// its entries here: `to` is relative to /projects/:id ('' is the dashboard),
// `label` a translation key, `end` for an exact match only.
export const PROJECT_NAV = [
  { to: '', icon: LayoutDashboardIcon, label: 'code.nav.dashboard', end: true },
  { to: 'code', icon: CodeIcon, label: 'code.nav.code', end: false },
  { to: 'run', icon: PlayIcon, label: 'code.nav.run', end: false },
  { to: 'data', icon: DatabaseIcon, label: 'data.nav.data', end: false },
  { to: 'goals', icon: TargetIcon, label: 'data.nav.goals', end: false },
] as const;
