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
      // Every toast readable at once (a collapsed stack fades the ones behind).
      expand
      containerAriaLabel={t('common.notifications')}
      // The app's own colours (sonner's richColors fall under 4.5:1): the card's
      // background and text, the kind told by the icon and a coloured edge.
      toastOptions={{
        closeButtonAriaLabel: t('common.close'),
        classNames: {
          toast: 'font-sans text-sm !bg-popover !text-popover-foreground !border-border',
          success: '!border-l-4 !border-l-success [&_[data-icon]]:text-success',
          error: '!border-l-4 !border-l-destructive [&_[data-icon]]:text-destructive',
          closeButton: '!bg-popover !text-popover-foreground !border-border',
        },
      }}
    />
  );
}
