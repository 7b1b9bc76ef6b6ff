// The smallest set of line-level text edits that turns one text into another. Actions compute the new
// file text; applying only what changed keeps the cursor, folding and markers elsewhere where they were
// and gives the editor an undo step that touches just the changed lines. Pure: no `vscode`.

export interface TextEdit {
  /** Offset in the old text (UTF-16 code units). */
  offset: number;
  /** Number of old characters replaced. */
  length: number;
  text: string;
}

/** Above this many changed lines on both sides, one edit replaces the middle (an LCS would be too slow). */
const LCS_LIMIT = 4000;

export function minimalEdits(oldText: string, newText: string): TextEdit[] {
  if (oldText === newText) return [];
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }

  const offsets = lineOffsets(a);
  const hunks: { a0: number; a1: number; b0: number; b1: number }[] = [];
  const n = endA - start, m = endB - start;
  if (n === 0 || m === 0 || n * m > LCS_LIMIT * LCS_LIMIT / 16 || n > LCS_LIMIT || m > LCS_LIMIT) {
    hunks.push({ a0: start, a1: endA, b0: start, b1: endB });
  } else {
    hunks.push(...lcsHunks(a, b, start, endA, endB));
  }
  return hunks.map((h) => ({
    offset: offsets[h.a0]!,
    length: offsets[h.a1]! - offsets[h.a0]!,
    text: b.slice(h.b0, h.b1).join(''),
  }));
}

/** Applies non-overlapping edits (given against `text`) and returns the result. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((x, y) => y.offset - x.offset);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

/** Lines with their line breaks kept, so joining them gives the text back. */
function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines;
}

function lineOffsets(lines: string[]): number[] {
  const out = [0];
  for (const l of lines) out.push(out[out.length - 1]! + l.length);
  return out;
}

/** Changed runs between a[start, endA) and b[start, endB), from a longest-common-subsequence table. */
function lcsHunks(a: string[], b: string[], start: number, endA: number, endB: number) {
  const n = endA - start, m = endB - start;
  // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB).
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[start + i] === b[start + j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const hunks: { a0: number; a1: number; b0: number; b1: number }[] = [];
  let i = 0, j = 0;
  let open: { a0: number; b0: number } | undefined;
  const close = () => {
    if (open) hunks.push({ a0: open.a0, a1: start + i, b0: open.b0, b1: start + j });
    open = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      close();
      i++; j++;
    } else {
      open ??= { a0: start + i, b0: start + j };
      if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) j++;
      else i++;
    }
  }
  close();
  return hunks;
}
