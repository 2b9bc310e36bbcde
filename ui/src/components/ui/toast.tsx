import { Toaster as Sonner, toast } from 'sonner';
import { useTranslation } from 'react-i18next';
import { useTheme } from '@/theme';

// Feedback for actions (saved, deleted, copied, failed): one toaster at the
// root of the app, `toast.success(...)` / `toast.error(...)` anywhere.
export { toast };

export function Toaster() {
  const { t } = useTranslation();
  const { resolved } = useTheme();
  return (
    <Sonner
      theme={resolved}
      position="bottom-right"
      closeButton
      richColors
      containerAriaLabel={t('common.notifications')}
      toastOptions={{
        closeButtonAriaLabel: t('common.close'),
        classNames: { toast: 'font-sans text-sm' },
      }}
    />
  );
}
