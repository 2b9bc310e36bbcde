import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';

type State = 'running' | 'stopped' | 'starting' | 'failed';
const VARIANT = { running: 'success', stopped: 'secondary', starting: 'outline', failed: 'destructive' } as const;

export function ProjectStatusBadge({ state }: { state: State }) {
  const { t } = useTranslation();
  return (
    <Badge variant={VARIANT[state]} data-testid="project-status" data-state={state}>
      <span
        aria-hidden="true"
        className={
          state === 'running'
            ? 'size-1.5 rounded-full bg-success'
            : state === 'failed'
              ? 'size-1.5 rounded-full bg-destructive'
              : 'size-1.5 rounded-full bg-muted-foreground'
        }
      />
      {t(`projects.status.${state}`)}
    </Badge>
  );
}
