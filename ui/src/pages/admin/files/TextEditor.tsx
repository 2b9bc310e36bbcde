import { useEffect, useRef } from 'react';
import { editorOptions, monaco, monacoTheme } from '@/pages/code/monaco';

// The file manager's text editor: Monaco (this module is loaded lazily, like the
// code page's editor: Monaco stays out of every other page's bundle), the
// language from the file's extension, Ctrl/Cmd+S saves.
export default function TextEditor({
  path,
  value,
  language,
  onChange,
  onSave,
  dark,
  ariaLabel,
}: {
  path: string;
  value: string;
  language: string;
  onChange: (value: string) => void;
  onSave: () => void;
  dark: boolean;
  ariaLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  const onSaveRef = useRef(onSave);
  onChangeRef.current = onChange;
  onSaveRef.current = onSave;

  useEffect(() => {
    // Its own scheme: a storage file is not the project's code (no runtime types' checks mixed in).
    const model = monaco.editor.createModel(value, language, monaco.Uri.from({ scheme: 'storage', path: `/${path}` }));
    const ed = monaco.editor.create(host.current!, {
      ...editorOptions,
      model,
      ariaLabel,
    });
    editor.current = ed;
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSaveRef.current());
    const sub = ed.onDidChangeModelContent(() => onChangeRef.current(ed.getValue()));
    ed.focus();
    return () => {
      sub.dispose();
      ed.dispose();
      model.dispose();
      editor.current = null;
    };
    // The editor is created once per file; later `value`s come from the editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, language]);

  // A value from outside (reloaded after a save elsewhere): replace, keeping undo.
  useEffect(() => {
    const m = editor.current?.getModel();
    if (m && m.getValue() !== value) m.pushEditOperations([], [{ range: m.getFullModelRange(), text: value }], () => null);
  }, [value]);

  useEffect(() => monaco.editor.setTheme(monacoTheme(dark)), [dark]);

  return <div ref={host} className="h-full w-full" data-testid="file-editor" />;
}
