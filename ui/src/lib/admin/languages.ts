// The Monaco language of a text file in the file manager, from its extension
// (the languages registered in pages/code/monaco.ts; anything else: plaintext).
const BY_EXT: Record<string, string> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  json: 'json',
  md: 'markdown',
  markdown: 'markdown',
  yml: 'yaml',
  yaml: 'yaml',
  html: 'html',
  htm: 'html',
  xml: 'xml',
  svg: 'xml',
  css: 'css',
  scss: 'scss',
  ini: 'ini',
  toml: 'ini',
  conf: 'ini',
  cfg: 'ini',
  env: 'ini',
  sql: 'sql',
  sh: 'shell',
  py: 'python',
  rb: 'ruby',
  go: 'go',
  rs: 'rust',
  c: 'cpp',
  h: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  java: 'java',
  kt: 'kotlin',
  php: 'php',
};

export function languageFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return fileName.toLowerCase() === 'dockerfile' ? 'dockerfile' : 'plaintext';
  return BY_EXT[fileName.slice(dot + 1).toLowerCase()] ?? 'plaintext';
}

export const FILE_LANGUAGES = [...new Set([...Object.values(BY_EXT), 'dockerfile'])];
