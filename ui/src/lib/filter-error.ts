// Where in the filter text the server's error points.
//
// The server reports syntax errors as `position N: …` where N is a 0-based
// offset in UTF-8 bytes (src/store/query/filter.cpp); JS strings index UTF-16
// code units, so the offset is converted. Errors about a field
// (`unknown field "x"`, `"total" is a number field: …`) carry no position: the
// first use of that field name outside a quoted string is marked instead.

export interface FilterErrorInfo {
  /** The server's message without the `position N:` prefix. */
  message: string;
  /** Index (UTF-16) in the filter text, or null when it cannot be placed. */
  index: number | null;
  /** How many characters to mark from index (0: a caret at the end). */
  length: number;
}

/** A UTF-8 byte offset in `text` → the UTF-16 index of the same character. */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

const identChar = /[A-Za-z0-9_@.]/;
const operatorChar = /[=!<>~?]/;

/** Length of the token that starts at `index` (a word, an operator run, `&&`/`||`, or one character). */
export function tokenLength(text: string, index: number): number {
  if (index >= text.length) return 0;
  const two = text.slice(index, index + 2);
  if (two === '&&' || two === '||') return 2;
  const c = text[index]!;
  const cls = identChar.test(c) ? identChar : operatorChar.test(c) ? operatorChar : null;
  if (!cls) return text.codePointAt(index)! > 0xffff ? 2 : 1;
  let end = index;
  while (end < text.length && cls.test(text[end]!)) end++;
  return end - index;
}

/** Index of the first word `name` (or `name.path`) outside quotes, or -1. */
export function findFieldToken(text: string, name: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && (i === 0 || !identChar.test(text[i - 1]!))) {
      let end = i;
      while (end < text.length && identChar.test(text[end]!)) end++;
      const word = text.slice(i, end);
      if (word === name || word.startsWith(name + '.')) return i;
      i = end;
      continue;
    }
    i++;
  }
  return -1;
}

export function parseFilterError(filter: string, serverMessage: string): FilterErrorInfo {
  const m = /^position (\d+): ([\s\S]*)$/.exec(serverMessage);
  if (m) {
    const index = byteOffsetToIndex(filter, Number(m[1]));
    return { message: m[2]!, index, length: tokenLength(filter, index) };
  }
  const field = /^(?:unknown field "([^"]+)"|"([^"]+)" )/.exec(serverMessage);
  const name = field?.[1] ?? field?.[2];
  if (name) {
    const index = findFieldToken(filter, name);
    if (index >= 0) return { message: serverMessage, index, length: tokenLength(filter, index) };
  }
  return { message: serverMessage, index: null, length: 0 };
}

/** Quotes a value for the filter language ('it\'s'). */
export function quoteFilterValue(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
