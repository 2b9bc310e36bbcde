import { FolderOpenIcon, KeyRoundIcon, SettingsIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { buttonVariants } from '@/components/ui/button';

// The admin pages of a project (environment, files, settings), linked from its
// dashboard until the project navigation takes them.
export function ProjectAdminLinks({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const links = [
    { to: 'env', icon: KeyRoundIcon, label: t('admin.nav.env') },
    { to: 'files', icon: FolderOpenIcon, label: t('admin.nav.files') },
    { to: 'settings', icon: SettingsIcon, label: t('admin.nav.settings') },
  ];
  return (
    <nav aria-label={t('admin.nav.project')} className="flex flex-wrap gap-2" data-testid="project-admin-links">
      {links.map(({ to, icon: Icon, label }) => (
        <Link key={to} to={`/projects/${projectId}/${to}`} className={buttonVariants({ variant: 'outline', size: 'sm' })}>
          <Icon aria-hidden="true" />
          {label}
        </Link>
      ))}
    </nav>
  );
}
