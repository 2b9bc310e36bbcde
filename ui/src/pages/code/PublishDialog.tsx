import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RELEASE_TAGS, type Release, type ReleaseTag } from '@/api/code';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { errorMessage } from '@/lib/error-message';
import { Select, Textarea } from '@/components/ui/field';

export function nextVersion(releases: readonly Pick<Release, 'major' | 'minor'>[], bump: 'major' | 'minor'): string {
  // The server counts from the highest version ever issued (a deleted one is not
  // reused), so this is the likely next version, shown as a hint.
  if (releases.length === 0) return '1.0';
  const top = releases.reduce((a, b) => (b.major > a.major || (b.major === a.major && b.minor > a.minor) ? b : a));
  return bump === 'major' ? `${top.major + 1}.0` : `${top.major}.${top.minor + 1}`;
}

// Freezes the branch's draft as a release (unsaved edits are saved first).
export function PublishDialog({
  open,
  onOpenChange,
  branch,
  dirty,
  releases,
  onPublish,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  branch: string;
  dirty: boolean;
  releases: Release[];
  onPublish: (v: { bump: 'major' | 'minor'; tag: ReleaseTag; comment: string }) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [bump, setBump] = useState<'major' | 'minor'>('minor');
  const [tag, setTag] = useState<ReleaseTag>('stable');
  const [comment, setComment] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const tooLong = new TextEncoder().encode(comment).length > 2000;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (tooLong) return;
    setPending(true);
    setError(null);
    try {
      await onPublish({ bump, tag, comment });
      setComment('');
      onOpenChange(false);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} data-testid="publish-dialog">
        <form onSubmit={(e) => void submit(e)} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{t('code.publish.title')}</DialogTitle>
            <DialogDescription>{t('code.publish.description', { branch })}</DialogDescription>
          </DialogHeader>
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">{t('code.publish.bump')}</legend>
            {(['minor', 'major'] as const).map((b) => (
              <label key={b} className="flex items-center gap-2 text-sm">
                <input type="radio" name="bump" value={b} checked={bump === b} onChange={() => setBump(b)} className="accent-primary" />
                {t(`code.publish.${b}`, { version: nextVersion(releases, b) })}
              </label>
            ))}
          </fieldset>
          <div className="grid gap-2">
            <Label htmlFor="publish-tag">{t('code.publish.tag')}</Label>
            <Select id="publish-tag" value={tag} onChange={(e) => setTag(e.target.value as ReleaseTag)}>
              {RELEASE_TAGS.map((x) => (
                <option key={x} value={x}>
                  {t(`code.tags.${x}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="publish-comment">{t('code.publish.comment')}</Label>
            <Textarea
              id="publish-comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              aria-invalid={tooLong}
              aria-describedby={tooLong ? 'publish-comment-error' : undefined}
            />
            {tooLong && (
              <p id="publish-comment-error" className="text-sm text-destructive">
                {t('code.publish.commentTooLong')}
              </p>
            )}
          </div>
          {dirty && <p className="text-sm text-muted-foreground">{t('code.publish.savesFirst')}</p>}
          {error != null && (
            <p role="alert" className="text-sm text-destructive">
              {errorMessage(t, error)}
            </p>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={pending || tooLong} data-testid="publish-submit">
              {pending ? t('code.publish.publishing') : t('code.publish.submit')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
