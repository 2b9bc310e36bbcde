import { useEffect, useRef } from 'react';
import { editorOptions, monaco, monacoTheme, setRuntimeTypes } from './monaco';

// The Monaco editors of the code page (this module is loaded lazily: Monaco
// and its workers stay out of every other page's bundle).

interface EditorProps {
  path: string; // one model per branch: its own undo history
  value: string;
  onChange: (value: string) => void;
  onSave: () => void;
  types: string | undefined;
  dark: boolean;
  ariaLabel: string;
  readOnly?: boolean;
}

const models = new Map<string, monaco.editor.ITextModel>();

function modelFor(path: string, value: string) {
  let m = models.get(path);
  if (!m || m.isDisposed()) {
    m = monaco.editor.createModel(value, 'javascript', monaco.Uri.parse(`file:///m3m/${encodeURIComponent(path)}.js`));
    models.set(path, m);
  }
  return m;
}

export default function CodeEditor({ path, value, onChange, onSave, types, dark, ariaLabel, readOnly }: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  const onSaveRef = useRef(onSave);
  onChangeRef.current = onChange;
  onSaveRef.current = onSave;

  useEffect(() => {
    const ed = monaco.editor.create(host.current!, {
      ...editorOptions,
      model: null,
      ariaLabel,
    });
    editor.current = ed;
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSaveRef.current());
    const sub = ed.onDidChangeModelContent(() => {
      const v = ed.getValue();
      onChangeRef.current(v);
    });
    return () => {
      sub.dispose();
      ed.dispose();
      editor.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const ed = editor.current!;
    const m = modelFor(path, value);
    if (ed.getModel() !== m) ed.setModel(m);
    // An outside change (load, reset, the server's side of a conflict): keep undo with an edit.
    if (m.getValue() !== value) m.pushEditOperations([], [{ range: m.getFullModelRange(), text: value }], () => null);
  }, [path, value]);

  useEffect(() => editor.current?.updateOptions({ readOnly: !!readOnly }), [readOnly]);
  useEffect(() => monaco.editor.setTheme(monacoTheme(dark)), [dark]);
  useEffect(() => {
    if (types !== undefined) setRuntimeTypes(types);
  }, [types]);

  return <div ref={host} className="h-full w-full" data-testid="code-editor" />;
}

// Side by side (or inline on narrow screens): the server's draft and ours.
export function DiffView({
  original,
  modified,
  dark,
  originalLabel,
  modifiedLabel,
}: {
  original: string;
  modified: string;
  dark: boolean;
  originalLabel: string;
  modifiedLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const o = monaco.editor.createModel(original, 'javascript');
    const m = monaco.editor.createModel(modified, 'javascript');
    const d = monaco.editor.createDiffEditor(host.current!, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: (host.current?.clientWidth ?? 800) > 640,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderFinalNewline: 'on',
      originalAriaLabel: originalLabel,
      modifiedAriaLabel: modifiedLabel,
    });
    d.setModel({ original: o, modified: m });
    // The diff editor's first option update clears the sides' aria labels
    // (Monaco 0.58): set them on the inner editors themselves.
    d.getOriginalEditor().updateOptions({ ariaLabel: originalLabel });
    d.getModifiedEditor().updateOptions({ ariaLabel: modifiedLabel });
    return () => {
      d.dispose();
      o.dispose();
      m.dispose();
    };
  }, [original, modified, originalLabel, modifiedLabel]);
  useEffect(() => monaco.editor.setTheme(monacoTheme(dark)), [dark]);
  return <div ref={host} className="h-full w-full" data-testid="diff-view" />;
}
