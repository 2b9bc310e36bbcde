// Row selection of a table page (ids in the page's order) and a bulk action run
// over the selected rows, one request per row.

// Clicking row `index` to `checked`; with shift and an earlier click, every row
// between the two takes the same state.
export function selectRows(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  index: number,
  checked: boolean,
  anchor: number | null,
  shift: boolean,
): Set<string> {
  const next = new Set(selected);
  const [from, to] = shift && anchor !== null && anchor < ids.length ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
  for (let i = from; i <= to; i++) {
    const id = ids[i];
    if (id === undefined) continue;
    if (checked) next.add(id);
    else next.delete(id);
  }
  return next;
}

// The header checkbox: all of the page selected, some, or none.
export function pageState(selected: ReadonlySet<string>, ids: readonly string[]): 'all' | 'some' | 'none' {
  const n = ids.filter((id) => selected.has(id)).length;
  return n === 0 ? 'none' : n === ids.length ? 'all' : 'some';
}

// Only the ids still shown (after a delete, a page change or a new filter).
export function keepShown(selected: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const shown = new Set(ids);
  const next = new Set([...selected].filter((id) => shown.has(id)));
  return next.size === selected.size ? (selected as Set<string>) : next;
}

export interface BulkResult {
  ok: string[];
  failed: { id: string; error: unknown }[];
}

// Runs `fn` for each id, `concurrency` at a time, reporting progress; a failure
// does not stop the others.
export async function runBulk(
  ids: readonly string[],
  fn: (id: string) => Promise<unknown>,
  onProgress: (done: number, total: number) => void = () => {},
  concurrency = 4,
): Promise<BulkResult> {
  const result: BulkResult = { ok: [], failed: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await fn(id);
        result.ok.push(id);
      } catch (error) {
        result.failed.push({ id, error });
      }
      onProgress(++done, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  // Reported in the order asked.
  const order = new Map(ids.map((id, i) => [id, i]));
  result.ok.sort((a, b) => order.get(a)! - order.get(b)!);
  result.failed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return result;
}
