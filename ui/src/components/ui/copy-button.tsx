import { useEffect, useState, type ComponentProps } from 'react';
import { CheckIcon, CopyIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';

// Copies a text to the clipboard; says so with a toast (or why it could not).
export function CopyButton({ text, label, ...props }: { text: string; label?: string } & ComponentProps<typeof Button>) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const h = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(h);
  }, [copied]);
  return (
    <Button
      variant="outline"
      onClick={() => {
        const done = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error('no clipboard'));
        done.then(
          () => {
            setCopied(true);
            toast.success(t('common.copied'));
          },
          () => toast.error(t('common.copyFailed')),
        );
      }}
      {...props}
    >
      {copied ? <CheckIcon aria-hidden="true" /> : <CopyIcon aria-hidden="true" />}
      <span>{label ?? t('common.copy')}</span>
    </Button>
  );
}
