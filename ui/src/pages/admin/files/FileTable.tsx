import { DownloadIcon, FileIcon, FileTextIcon, FolderIcon, ImageIcon, LinkIcon, MoreHorizontalIcon, PencilIcon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { StorageEntry } from '@/api/admin';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { formatBytes, isImage, isText } from '@/lib/admin/files';
import { cn } from '@/lib/utils';
import { StorageImage } from '../parts';

export type EntryAction = 'open' | 'edit' | 'download' | 'share' | 'rename' | 'delete';

export function FileTable({
  projectId,
  items,
  onAction,
}: {
  projectId: string;
  items: StorageEntry[];
  onAction: (action: EntryAction, entry: StorageEntry) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const dateFmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <table className="w-full text-sm" data-testid="files-table">
      <caption className="sr-only">{t('admin.files.title')}</caption>
      <thead className="border-b text-left text-xs text-muted-foreground">
        <tr>
          <th scope="col" className="px-4 py-3 font-medium">
            {t('admin.files.name')}
          </th>
          <th scope="col" className="hidden px-4 py-3 text-right font-medium sm:table-cell">
            {t('admin.files.size')}
          </th>
          <th scope="col" className="hidden px-4 py-3 font-medium md:table-cell">
            {t('admin.files.modified')}
          </th>
          <th scope="col" className="px-4 py-3">
            <span className="sr-only">{t('admin.common.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.path} className="border-b last:border-0 hover:bg-accent/40" data-testid="file-row" data-name={e.name}>
            <td className="px-4 py-2">
              <div className="flex items-center gap-3">
                <EntryIcon projectId={projectId} entry={e} />
                <button
                  type="button"
                  className="truncate rounded text-left font-medium outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                  onClick={() => onAction('open', e)}
                  data-testid="file-open"
                >
                  {e.name}
                </button>
              </div>
            </td>
            <td className="hidden px-4 py-2 text-right text-xs whitespace-nowrap text-muted-foreground sm:table-cell">
              {e.is_dir ? '—' : formatBytes(e.size, lang)}
            </td>
            <td className="hidden px-4 py-2 text-xs whitespace-nowrap text-muted-foreground md:table-cell">
              {dateFmt.format(new Date(e.modified))}
            </td>
            <td className="px-4 py-2 text-right">
              <EntryMenu entry={e} onAction={(a) => onAction(a, e)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EntryMenu({ entry: e, onAction }: { entry: StorageEntry; onAction: (a: EntryAction) => void }) {
  const { t } = useTranslation();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={t('admin.files.actionsFor', { name: e.name })} data-testid="file-actions">
          <MoreHorizontalIcon aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {isText(e) && (
          <DropdownMenuItem onSelect={() => onAction('edit')} data-testid="file-edit">
            <FileTextIcon aria-hidden="true" />
            {t('admin.files.edit')}
          </DropdownMenuItem>
        )}
        {!e.is_dir && (
          <DropdownMenuItem onSelect={() => onAction('download')}>
            <DownloadIcon aria-hidden="true" />
            {t('admin.files.download')}
          </DropdownMenuItem>
        )}
        {!e.is_dir && (
          <DropdownMenuItem onSelect={() => onAction('share')} data-testid="file-share">
            <LinkIcon aria-hidden="true" />
            {t('admin.files.publicLink')}
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={() => onAction('rename')} data-testid="file-rename">
          <PencilIcon aria-hidden="true" />
          {t('admin.files.renameMove')}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem className="text-destructive focus:text-destructive" onSelect={() => onAction('delete')} data-testid="file-delete">
          <Trash2Icon aria-hidden="true" />
          {t('admin.common.delete')}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function EntryIcon({ projectId, entry }: { projectId: string; entry: StorageEntry }) {
  const box = 'flex size-9 shrink-0 items-center justify-center rounded-md bg-muted text-muted-foreground [&>svg]:size-4';
  if (entry.is_dir)
    return (
      <span className={cn(box, 'bg-primary/10 text-primary')}>
        <FolderIcon aria-hidden="true" />
      </span>
    );
  const icon = isText(entry) ? <FileTextIcon aria-hidden="true" /> : isImage(entry) ? <ImageIcon aria-hidden="true" /> : <FileIcon aria-hidden="true" />;
  if (!isImage(entry)) return <span className={box}>{icon}</span>;
  return (
    <StorageImage
      projectId={projectId}
      path={entry.path}
      version={entry.modified}
      alt=""
      className="size-9 shrink-0 rounded-md border object-cover"
      fallback={<span className={box}>{icon}</span>}
    />
  );
}
