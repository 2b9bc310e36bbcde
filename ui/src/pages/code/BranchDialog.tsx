import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateBranch, type Branch, type Release } from '@/api/code';
import { ApiError } from '@/api/errors';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { BRANCH_NAME } from '@/lib/draft';
import { errorMessage } from '@/lib/error-message';
import { Select } from '@/components/ui/field';

export type BranchSource = { kind: 'branch'; name: string } | { kind: 'release'; version: string };

// A new branch from another branch's draft or from a release's code.
export function BranchDialog({
  projectId,
  open,
  onOpenChange,
  branches,
  releases,
  initial,
  onCreated,
}: {
  projectId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  branches: Branch[];
  releases: Release[];
  initial: BranchSource;
  onCreated: (b: Branch) => void;
}) {
  const { t } = useTranslation();
  const create = useCreateBranch(projectId);
  const [name, setName] = useState('');
  const [source, setSource] = useState<BranchSource>(initial);
  const [nameError, setNameError] = useState<string | null>(null);

  useEffect(() => {
    if (open) {
      setSource(initial);
      setName('');
      setNameError(null);
      create.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!BRANCH_NAME.test(name)) {
      setNameError(t('code.branch.nameInvalid'));
      return;
    }
    setNameError(null);
    try {
      const b = await create.mutateAsync(
        source.kind === 'branch' ? { name, from_branch: source.name } : { name, from_release: source.version },
      );
      onCreated(b);
      onOpenChange(false);
    } catch (err) {
      if (err instanceof ApiError && err.fields['name']) setNameError(errorMessage(t, err));
    }
  }

  const value = source.kind === 'branch' ? `b:${source.name}` : `r:${source.version}`;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} data-testid="branch-dialog">
        <form onSubmit={(e) => void submit(e)} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{t('code.branch.newTitle')}</DialogTitle>
            <DialogDescription>{t('code.branch.newDescription')}</DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="branch-name">{t('code.branch.name')}</Label>
            <Input
              id="branch-name"
              value={name}
              onChange={(e) => setName(e.target.value.trim().toLowerCase())}
              placeholder="feature/login"
              aria-invalid={!!nameError}
              aria-describedby={nameError ? 'branch-name-error' : 'branch-name-hint'}
              autoFocus
            />
            {nameError ? (
              <p id="branch-name-error" className="text-sm text-destructive">
                {nameError}
              </p>
            ) : (
              <p id="branch-name-hint" className="text-xs text-muted-foreground">
                {t('code.branch.nameHint')}
              </p>
            )}
          </div>
          <div className="grid gap-2">
            <Label htmlFor="branch-source">{t('code.branch.source')}</Label>
            <Select
              id="branch-source"
              value={value}
              onChange={(e) => {
                const v = e.target.value;
                setSource(v.startsWith('b:') ? { kind: 'branch', name: v.slice(2) } : { kind: 'release', version: v.slice(2) });
              }}
            >
              <optgroup label={t('code.branch.fromBranch')}>
                {branches.map((b) => (
                  <option key={b.name} value={`b:${b.name}`}>
                    {b.name}
                  </option>
                ))}
              </optgroup>
              {releases.length > 0 && (
                <optgroup label={t('code.branch.fromRelease')}>
                  {releases.map((r) => (
                    <option key={r.version} value={`r:${r.version}`}>
                      {t('code.releases.version', { version: r.version })}
                    </option>
                  ))}
                </optgroup>
              )}
            </Select>
          </div>
          {create.isError && !(create.error instanceof ApiError && create.error.fields['name']) && (
            <p role="alert" className="text-sm text-destructive">
              {errorMessage(t, create.error)}
            </p>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={create.isPending} data-testid="branch-submit">
              {create.isPending ? t('common.creating') : t('common.create')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
