// Monaco, bundled locally with its workers (no CDN). Only the code page and the
// file manager's editor import this module (dynamically), so the editor and its
// workers load there only.
// The slim entry: the editor, its features, JavaScript highlighting and the
// TypeScript language service (which serves JavaScript too).
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
// The file manager's text editor: highlighting by extension (each tokenizer loads on first use).
import 'monaco-editor/languages/definitions/typescript/register';
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/languages/definitions/yaml/register';
import 'monaco-editor/languages/definitions/html/register';
import 'monaco-editor/languages/definitions/xml/register';
import 'monaco-editor/languages/definitions/css/register';
import 'monaco-editor/languages/definitions/scss/register';
import 'monaco-editor/languages/definitions/ini/register';
import 'monaco-editor/languages/definitions/sql/register';
import 'monaco-editor/languages/definitions/shell/register';
import 'monaco-editor/languages/definitions/python/register';
import 'monaco-editor/languages/definitions/ruby/register';
import 'monaco-editor/languages/definitions/go/register';
import 'monaco-editor/languages/definitions/rust/register';
import 'monaco-editor/languages/definitions/cpp/register';
import 'monaco-editor/languages/definitions/java/register';
import 'monaco-editor/languages/definitions/kotlin/register';
import 'monaco-editor/languages/definitions/php/register';
import 'monaco-editor/languages/definitions/dockerfile/register';
import { javascriptDefaults, ScriptTarget } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import 'monaco-editor/languages/features/json/register';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    if (label === 'json') return new JsonWorker();
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

// A release's code is a script (not a module) run by V8 with the runtime's
// globals: no DOM, ES2022, checked as JavaScript (checkJs) against the
// declarations of GET /api/runtime/types.
javascriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  lib: ['es2022'],
  allowJs: true,
  checkJs: true,
  allowNonTsExtensions: true,
  noEmit: true,
  strict: false,
});
javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
javascriptDefaults.setEagerModelSync(true);

// Monaco's own themes with colours that keep 4.5:1 (WCAG AA, checked by axe in
// the E2E tests): darker comment/number/type tokens in the light theme (vs is
// at the limit on white), a lighter comment in the dark one, and diff backgrounds light enough for every token;
// changed characters are outlined instead of filled.
monaco.editor.defineTheme('m3m-light', {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'comment', foreground: '006100' },
    { token: 'number', foreground: '066a45' },
    { token: 'type', foreground: '1d6a80' },
  ],
  colors: {
    'diffEditor.insertedLineBackground': '#e9f7ec',
    'diffEditor.removedLineBackground': '#fbeaea',
    'diffEditor.insertedTextBackground': '#00000000',
    'diffEditor.removedTextBackground': '#00000000',
    'diffEditor.insertedTextBorder': '#2e7d32',
    'diffEditor.removedTextBorder': '#c62828',
    // Unused code is faded: at Monaco's default (about 0.47) it falls under 4.5:1.
    'editorUnnecessaryCode.opacity': '#000000cc',
  },
});
monaco.editor.defineTheme('m3m-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [{ token: 'comment', foreground: '7ca668' }], // vs-dark's #608b4e is 4.2:1 on #1e1e1e
  colors: { 'editorUnnecessaryCode.opacity': '#000000cc' },
});
export const monacoTheme = (dark: boolean) => (dark ? 'm3m-dark' : 'm3m-light');

// The options every editor of the UI shares (the code page's and the file manager's).
export const editorOptions: monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  tabSize: 2,
  scrollBeyondLastLine: false,
  fixedOverflowWidgets: true,
  // 'dimmed' draws the last line's number too faint to read (axe: contrast).
  renderFinalNewline: 'on',
};

let typesLib: monaco.IDisposable | null = null;
let typesText = '';

// Replaces the runtime declarations (only when they changed: the language
// service re-checks every model on each change).
export function setRuntimeTypes(dts: string) {
  if (dts === typesText) return;
  typesText = dts;
  typesLib?.dispose();
  typesLib = javascriptDefaults.addExtraLib(dts, 'file:///m3m/runtime.d.ts');
}

export { monaco };
