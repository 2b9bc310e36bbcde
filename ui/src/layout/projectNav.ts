import { CodeIcon, DatabaseIcon, FolderOpenIcon, KeyRoundIcon, LayoutDashboardIcon, PlayIcon, SettingsIcon, TargetIcon } from 'lucide-react';

// The project's sub-navigation (tabs under the project's title). Each area adds
// its entries here: `to` is relative to /projects/:id ('' is the dashboard),
// `label` a translation key, `end` for an exact match only.
export const PROJECT_NAV = [
  { to: '', icon: LayoutDashboardIcon, label: 'code.nav.dashboard', end: true },
  { to: 'code', icon: CodeIcon, label: 'code.nav.code', end: false },
  { to: 'run', icon: PlayIcon, label: 'code.nav.run', end: false },
  { to: 'data', icon: DatabaseIcon, label: 'data.nav.data', end: false },
  { to: 'goals', icon: TargetIcon, label: 'data.nav.goals', end: false },
  { to: 'env', icon: KeyRoundIcon, label: 'admin.nav.env', end: false },
  { to: 'files', icon: FolderOpenIcon, label: 'admin.nav.files', end: false },
  { to: 'settings', icon: SettingsIcon, label: 'admin.nav.settings', end: false },
] as const;
