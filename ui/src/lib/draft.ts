// The draft editor's bookkeeping: a buffer per branch (unsaved edits survive a
// branch switch) and what to do when a save meets a newer revision (409).

export interface DraftBuffer {
  code: string; // what the editor holds
  saved: string; // the branch's code at `revision`
  revision: number;
}

export function isDirty(b: DraftBuffer | undefined): boolean {
  return !!b && b.code !== b.saved;
}

// A buffer for the branch as the server sent it; unsaved edits made on the same
// revision are kept, anything else is replaced by the server's code.
export function bufferFromServer(prev: DraftBuffer | undefined, code: string, revision: number): DraftBuffer {
  if (prev && prev.revision === revision && prev.saved === code) return prev;
  return { code, saved: code, revision };
}

export function afterSave(prev: DraftBuffer, sentCode: string, code: string, revision: number): DraftBuffer {
  // Edits typed while the save was on its way stay unsaved.
  return { code: prev.code === sentCode ? code : prev.code, saved: code, revision };
}

export type ConflictChoice = 'mine' | 'theirs';

export interface Conflict {
  mine: string; // the editor's code
  theirs: string; // the server's newer draft
  theirRevision: number;
}

// A stale save when the server's newer draft equals ours needs no choice.
export function needsChoice(c: Conflict): boolean {
  return c.mine !== c.theirs;
}

// mine: save ours over theirs (with their revision); theirs: drop our edits.
export function resolveConflict(c: Conflict, choice: ConflictChoice): { buffer: DraftBuffer; save: boolean } {
  if (choice === 'theirs' || !needsChoice(c))
    return { buffer: { code: c.theirs, saved: c.theirs, revision: c.theirRevision }, save: false };
  return { buffer: { code: c.mine, saved: c.theirs, revision: c.theirRevision }, save: true };
}

// A short line count summary of the two sides, for the conflict dialog.
export function lineDiffStats(a: string, b: string): { added: number; removed: number } {
  const al = a.split('\n');
  const bl = b.split('\n');
  // LCS on lines (drafts are small: pipeline.max_code_size); O(n*m) with two rows.
  let prev = new Array<number>(bl.length + 1).fill(0);
  for (let i = 1; i <= al.length; i++) {
    const cur = new Array<number>(bl.length + 1).fill(0);
    for (let j = 1; j <= bl.length; j++)
      cur[j] = al[i - 1] === bl[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  const common = prev[bl.length]!;
  return { added: bl.length - common, removed: al.length - common };
}

export const BRANCH_NAME = /^[a-z0-9][a-z0-9._/-]{0,62}$/;
