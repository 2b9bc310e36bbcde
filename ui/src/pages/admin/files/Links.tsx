import { useState } from 'react';
import { Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { linkTokens, storageApi, useStorageAction, useStorageLinks, type StorageLink } from '@/api/admin';
import { baseUrl } from '@/api/client';
import { ErrorState } from '@/components/ErrorState';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CopyButton } from '@/components/ui/copy-button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/error-message';

// The link's address: from the answer that created it, else from a token this browser kept.
function publicUrl(link: StorageLink, token: string | undefined): string | null {
  if (link.url) return new URL(link.url, baseUrl).toString();
  if (!token) return null;
  const name = encodeURIComponent(link.path.split('/').pop() ?? '');
  return `${baseUrl}/api/storage/public/${encodeURIComponent(token)}/${name}`;
}

// What revokes a link: its id (any listed link), else the token this browser kept.
export function revokeKey(projectId: string, link: StorageLink): string | undefined {
  return link.id || link.token || linkTokens.get(projectId, link);
}

function useRevoke(projectId: string, link: StorageLink | null, onDone: () => void) {
  const { t } = useTranslation();
  const revoke = useStorageAction(projectId, (key: string) => storageApi.revokeLink(projectId, key));
  const run = () => {
    const key = link && revokeKey(projectId, link);
    if (!link || !key) return;
    return revoke.mutateAsync(key).then(() => {
      linkTokens.set(projectId, link, null);
      toast.success(t('admin.files.linkRevoked', { path: link.path }));
      onDone();
    });
  };
  return { run, revoke };
}

export function LinkDialog({ projectId, link, onClose }: { projectId: string; link: StorageLink; onClose: () => void }) {
  const { t } = useTranslation();
  const token = link.token ?? linkTokens.get(projectId, link);
  const { run, revoke } = useRevoke(projectId, link, onClose);
  const url = publicUrl(link, token);
  const canRevoke = !!revokeKey(projectId, link);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('admin.files.linkTitle')}</DialogTitle>
          <DialogDescription>{t('admin.files.linkText', { path: link.path })}</DialogDescription>
        </DialogHeader>
        {url ? (
          <div className="flex gap-2">
            <Input readOnly value={url} aria-label={t('admin.files.publicLink')} className="font-mono text-xs" data-testid="link-url" />
            <CopyButton text={url} />
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">{t('admin.files.linkHidden', { hint: link.token_hint })}</p>
        )}
        {revoke.error ? <Alert variant="destructive">{errorMessage(t, revoke.error)}</Alert> : null}
        <DialogFooter>
          {canRevoke ? (
            <Button variant="destructive" disabled={revoke.isPending} data-testid="link-revoke" onClick={() => void run()?.catch(() => {})}>
              {revoke.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {t('admin.files.revoke')}
            </Button>
          ) : (
            <p className="mr-auto text-xs text-muted-foreground">{t('admin.files.cannotRevoke')}</p>
          )}
          <Button variant="outline" onClick={onClose}>
            {t('common.close')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

// Every public link of the project; any of them can be revoked (by its id).
export function LinksCard({ projectId, onShow }: { projectId: string; onShow: (l: StorageLink) => void }) {
  const { t, i18n } = useTranslation();
  const links = useStorageLinks(projectId);
  const [revoking, setRevoking] = useState<StorageLink | null>(null);
  const { run } = useRevoke(projectId, revoking, () => setRevoking(null));
  const items = links.data?.items ?? [];
  const dateFmt = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium' });
  if (links.isPending || (links.isSuccess && items.length === 0)) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('admin.files.links')}</CardTitle>
      </CardHeader>
      <CardContent>
        {links.isError ? (
          <ErrorState title={t('admin.files.linksError')} error={links.error} onRetry={() => void links.refetch()} />
        ) : (
          <ul className="divide-y text-sm" data-testid="links-list">
            {items.map((l) => (
              <li key={`${l.token_hint}|${l.path}`} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="link-row">
                <span className="min-w-0 truncate font-mono text-xs">{l.path}</span>
                <span className="flex items-center gap-3 text-xs text-muted-foreground">
                  <span>…{l.token_hint}</span>
                  <span>{dateFmt.format(new Date(l.created_at))}</span>
                  <Button variant="outline" size="sm" onClick={() => onShow(l)}>
                    {t('admin.files.manageLink')}
                  </Button>
                  {revokeKey(projectId, l) && (
                    <Button
                      variant="outline"
                      size="sm"
                      className="text-destructive"
                      onClick={() => setRevoking(l)}
                      aria-label={t('admin.files.revokeLinkTo', { path: l.path, hint: l.token_hint })}
                      data-testid="link-row-revoke"
                    >
                      {t('admin.files.revoke')}
                    </Button>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
      <ConfirmDialog
        open={!!revoking}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={t('admin.files.revokeTitle')}
        description={t('admin.files.revokeText', { path: revoking?.path ?? '' })}
        confirmLabel={t('admin.files.revoke')}
        onConfirm={run}
        testId="revoke-dialog"
      />
    </Card>
  );
}
