import { EditorContent, useEditor, useEditorState } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { BoldIcon, CodeIcon, Heading2Icon, ItalicIcon, ListIcon, ListOrderedIcon, QuoteIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cn } from '@/lib/utils';

// TipTap for `richtext` fields (HTML in a string/text field). Loaded lazily:
// only a record form with a rich-text field pulls this chunk.
export default function RichTextEditor({
  value,
  onChange,
  labelledBy,
  invalid,
  testId,
}: {
  value: string;
  onChange: (html: string) => void;
  labelledBy: string;
  invalid?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: false })],
    content: value || '',
    immediatelyRender: true,
    editorProps: {
      attributes: {
        'aria-labelledby': labelledBy,
        'aria-multiline': 'true',
        role: 'textbox',
        class: 'prose-m3m min-h-28 px-3 py-2 text-sm outline-none',
        ...(testId ? { 'data-testid': testId } : {}),
      },
    },
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
  });
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      code: e.isActive('code'),
      h2: e.isActive('heading', { level: 2 }),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      quote: e.isActive('blockquote'),
    }),
  });
  const buttons = [
    { key: 'bold', icon: BoldIcon, label: t('data.rich.bold'), run: () => editor.chain().focus().toggleBold().run() },
    { key: 'italic', icon: ItalicIcon, label: t('data.rich.italic'), run: () => editor.chain().focus().toggleItalic().run() },
    { key: 'code', icon: CodeIcon, label: t('data.rich.code'), run: () => editor.chain().focus().toggleCode().run() },
    { key: 'h2', icon: Heading2Icon, label: t('data.rich.heading'), run: () => editor.chain().focus().toggleHeading({ level: 2 }).run() },
    { key: 'bullet', icon: ListIcon, label: t('data.rich.bulletList'), run: () => editor.chain().focus().toggleBulletList().run() },
    { key: 'ordered', icon: ListOrderedIcon, label: t('data.rich.orderedList'), run: () => editor.chain().focus().toggleOrderedList().run() },
    { key: 'quote', icon: QuoteIcon, label: t('data.rich.quote'), run: () => editor.chain().focus().toggleBlockquote().run() },
  ] as const;
  return (
    <div
      className={cn(
        'rounded-md border border-input shadow-xs focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50',
        invalid && 'border-destructive',
      )}
    >
      <div role="toolbar" aria-label={t('data.rich.toolbar')} className="flex flex-wrap gap-0.5 border-b p-1">
        {buttons.map(({ key, icon: Icon, label, run }) => (
          <button
            key={key}
            type="button"
            aria-label={label}
            title={label}
            aria-pressed={active[key]}
            onClick={run}
            className={cn(
              'inline-flex size-7 items-center justify-center rounded outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50',
              active[key] && 'bg-accent text-accent-foreground',
            )}
          >
            <Icon className="size-4" aria-hidden="true" />
          </button>
        ))}
      </div>
      <EditorContent editor={editor} />
    </div>
  );
}
