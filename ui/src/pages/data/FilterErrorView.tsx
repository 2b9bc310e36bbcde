import { useTranslation } from 'react-i18next';
import type { FilterErrorInfo } from '@/lib/filter-error';

// The filter text with the part the server's error points at marked.
export function FilterErrorView({ filter, info }: { filter: string; info: FilterErrorInfo }) {
  const { t } = useTranslation();
  return (
    <div id="filter-error" role="alert" className="space-y-1 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm" data-testid="filter-error">
      <p className="text-destructive">
        {info.index !== null ? t('data.filter.errorAt', { column: info.index + 1, message: info.message }) : info.message}
      </p>
      {info.index !== null && (
        <pre className="overflow-x-auto font-mono text-xs whitespace-pre" data-testid="filter-error-source">
          {filter.slice(0, info.index)}
          <mark className="rounded-sm bg-destructive/30 text-foreground underline decoration-destructive decoration-wavy" data-testid="filter-error-mark">
            {info.length > 0 ? filter.slice(info.index, info.index + info.length) : ' '}
          </mark>
          {filter.slice(info.index + info.length)}
        </pre>
      )}
    </div>
  );
}
