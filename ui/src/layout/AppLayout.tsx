import { Suspense, useEffect, useState } from 'react';
import { FolderKanbanIcon, LogOutIcon, MenuIcon, TargetIcon, UserIcon, UsersIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useAuth } from '@/auth';
import { LanguageSwitch, ThemeSwitch } from '@/components/HeaderControls';
import { Logo } from '@/components/Logo';
import { PageSpinner } from '@/components/PageSpinner';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { appConfig } from '@/config';
import { can, type Permission } from '@/lib/admin/users';
import { cn } from '@/lib/utils';

// The frame of every signed-in page: sidebar (navigation), header (language,
// theme, account menu) and the page in <main>. Pages add their links to NAV.
// An entry with `perm` shows only to those who have that permission.
const NAV: { to: string; icon: typeof FolderKanbanIcon; label: 'nav.projects' | 'data.nav.goals' | 'admin.nav.users'; perm?: Permission }[] = [
  { to: '/projects', icon: FolderKanbanIcon, label: 'nav.projects' },
  { to: '/goals', icon: TargetIcon, label: 'data.nav.goals' },
  { to: '/users', icon: UsersIcon, label: 'admin.nav.users', perm: 'manage_users' },
];

function initials(name: string, email: string) {
  const src = name.trim() || email;
  const parts = src.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

function UserMenu() {
  const { t } = useTranslation();
  const { session, logout } = useAuth();
  const navigate = useNavigate();
  if (!session) return null;
  const { user } = session;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" className="rounded-full" data-testid="user-menu">
          {/* A name that contains the visible initials (axe: label-content-name-mismatch). */}
          <span className="sr-only">{t('header.userMenu')}</span>
          {user.avatar_url ? (
            <img src={user.avatar_url} alt="" className="size-8 rounded-full object-cover" />
          ) : (
            <span className="flex size-8 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold text-primary">
              {initials(user.name, user.email)}
            </span>
          )}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-56">
        <DropdownMenuLabel className="flex flex-col">
          <span className="truncate">{user.name || user.email}</span>
          <span className="truncate text-xs font-normal text-muted-foreground">{user.email}</span>
          {user.is_root && <span className="text-xs font-normal text-primary">{t('header.root')}</span>}
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => void navigate('/profile')} data-testid="profile-link">
          <UserIcon aria-hidden="true" />
          {t('admin.nav.profile')}
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => void logout()} data-testid="logout">
          <LogOutIcon aria-hidden="true" />
          {t('header.logout')}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export default function AppLayout() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { session } = useAuth();
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <div className="flex min-h-svh">
      <aside
        className={cn(
          'fixed inset-y-0 left-0 z-40 flex w-60 flex-col border-r bg-sidebar transition-transform md:static md:translate-x-0',
          // Closed on a phone: off-screen and invisible (out of the tab order too).
          open ? 'translate-x-0' : '-translate-x-full max-md:invisible',
        )}
      >
        <div className="flex h-14 items-center gap-2 border-b px-4">
          <Logo className="size-7" />
          <span className="font-semibold tracking-tight">{t('app.name')}</span>
        </div>
        <nav aria-label={t('nav.main')} className="flex-1 space-y-1 p-3">
          {NAV.filter((n) => !n.perm || can(session?.user, n.perm)).map(({ to, icon: Icon, label }) => (
            <NavLink
              key={to}
              to={to}
              onClick={() => setOpen(false)}
              className={({ isActive }) =>
                cn(
                  'flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
                  isActive ? 'bg-accent text-accent-foreground' : 'text-muted-foreground hover:bg-accent/60 hover:text-foreground',
                )
              }
            >
              <Icon className="size-4" aria-hidden="true" />
              {t(label)}
            </NavLink>
          ))}
        </nav>
        <div className="border-t px-4 py-3 text-xs text-muted-foreground">{t('app.version', { version: appConfig.version })}</div>
      </aside>
      {open && <div className="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={() => setOpen(false)} aria-hidden="true" />}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-2 border-b bg-background/90 px-4 backdrop-blur">
          <Button variant="ghost" size="icon" className="md:hidden" aria-label={t('nav.toggleMenu')} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            <MenuIcon aria-hidden="true" />
          </Button>
          <div className="flex-1" />
          <LanguageSwitch />
          <ThemeSwitch />
          <UserMenu />
        </header>
        <main className="flex-1 p-4 md:p-8">
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
