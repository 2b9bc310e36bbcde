import { useEffect, useState, type ReactNode } from 'react';
import { Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { confirmed } from '@/lib/admin/users';
import { errorMessage } from '@/lib/error-message';

// A confirmation for destructive actions: a dialog naming what goes, Cancel
// focused. With `typed`, the button waits until that exact text is typed.
// `onConfirm` may return a promise: the dialog then shows the wait, closes when
// it resolves and shows the error when it fails (else pass `pending`/`error`).
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  pending,
  error,
  typed,
  destructive = true,
  testId = 'confirm-dialog',
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => unknown;
  pending?: boolean;
  error?: unknown;
  typed?: string;
  destructive?: boolean;
  testId?: string;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [own, setOwn] = useState<unknown>(null);
  useEffect(() => {
    if (!open) {
      setText('');
      setOwn(null);
    }
  }, [open]);
  const ok = !typed || confirmed(text, typed);
  const waiting = busy || !!pending;
  const shownError = error ?? own;

  async function confirm() {
    if (!ok || waiting) return;
    const r = onConfirm();
    if (!(r instanceof Promise)) return;
    setBusy(true);
    setOwn(null);
    try {
      await r;
      onOpenChange(false);
    } catch (e) {
      setOwn(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} role="alertdialog" data-testid={testId}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          {children}
          {typed && (
            <div className="grid gap-2">
              <Label htmlFor={`${testId}-typed`}>{t('common.typeToConfirm', { text: typed })}</Label>
              <Input
                id={`${testId}-typed`}
                value={text}
                onChange={(e) => setText(e.target.value)}
                autoComplete="off"
                className="font-mono"
                autoFocus
              />
            </div>
          )}
          {shownError ? <Alert variant="destructive">{errorMessage(t, shownError)}</Alert> : null}
          <DialogFooter>
            <Button variant="outline" autoFocus={!typed} onClick={() => onOpenChange(false)}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant={destructive ? 'destructive' : 'default'} disabled={!ok || waiting} data-testid={`${testId}-ok`}>
              {waiting && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {confirmLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
