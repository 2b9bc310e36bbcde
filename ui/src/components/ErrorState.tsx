import { AlertTriangleIcon, RotateCwIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/error-message';

export function ErrorState({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert variant="destructive" data-testid="error-state">
      <AlertTriangleIcon aria-hidden="true" />
      <div className="flex flex-1 flex-col gap-1">
        <p className="font-medium">{title}</p>
        <p className="text-destructive/90">{errorMessage(t, error)}</p>
      </div>
      {onRetry && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          <RotateCwIcon aria-hidden="true" />
          {t('common.retry')}
        </Button>
      )}
    </Alert>
  );
}
