import { useEffect, useState } from 'react';
import { Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FormRow } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';

type Problem = 'required' | 'slash' | 'dots';

// One name or path asked for (new folder, new file, rename/move): checked as
// typed once submitted, the server's refusal shown in the dialog.
export function PathDialog({
  open,
  title,
  description,
  label,
  initial = '',
  placeholder,
  mono,
  validate,
  submitLabel,
  submitTestId,
  inputId,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  description: string;
  label: string;
  initial?: string;
  placeholder?: string;
  mono?: boolean;
  validate: (v: string) => Problem | null;
  submitLabel: string;
  submitTestId: string;
  inputId: string;
  onSubmit: (v: string) => Promise<unknown> | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (open) {
      setValue(initial);
      setSubmitted(false);
      setError(null);
    }
  }, [open, initial]);
  const problem = validate(value);
  const shown = submitted && problem ? t(`admin.files.nameErrors.${problem}`) : undefined;
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (problem || pending) return;
            const p = onSubmit(value.trim());
            if (!p) return;
            setPending(true);
            setError(null);
            p.catch(setError).finally(() => setPending(false));
          }}
        >
          <FormRow label={label} htmlFor={inputId} error={shown}>
            <Input
              id={inputId}
              className={cn(mono && 'font-mono')}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={placeholder}
              aria-invalid={!!shown}
              aria-describedby={shown ? `${inputId}-error` : undefined}
              autoFocus
              autoComplete="off"
            />
          </FormRow>
          {error ? <Alert variant="destructive">{errorMessage(t, error)}</Alert> : null}
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={pending} data-testid={submitTestId}>
              {pending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
