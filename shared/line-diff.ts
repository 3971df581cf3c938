// A line diff of two texts (old XML against new), for review before a change is applied: the
// longest common subsequence of lines, after the common head and tail are set aside, which keeps
// the table small for the usual edit of a few lines in a document of a few dozen.

export type DiffLine =
  | { kind: 'same'; text: string; oldNumber: number; newNumber: number }
  | { kind: 'removed'; text: string; oldNumber: number }
  | { kind: 'added'; text: string; newNumber: number };

/** One stretch of changes with up to `context` unchanged lines around it. */
export interface DiffHunk {
  lines: DiffLine[];
}

// Past this many cells of the LCS table the middle is shown as replaced wholesale.
const MAX_TABLE_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Every line of both texts, in order, marked same, removed (only in old) or added (only in new). */
export function diffLines(oldText: string, newText: string): DiffLine[] {
  const before = splitLines(oldText);
  const after = splitLines(newText);
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head += 1;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail += 1;

  const same = (oldIndex: number, newIndex: number): DiffLine => ({ kind: 'same', text: before[oldIndex]!, oldNumber: oldIndex + 1, newNumber: newIndex + 1 });
  const removed = (oldIndex: number): DiffLine => ({ kind: 'removed', text: before[oldIndex]!, oldNumber: oldIndex + 1 });
  const added = (newIndex: number): DiffLine => ({ kind: 'added', text: after[newIndex]!, newNumber: newIndex + 1 });

  const result: DiffLine[] = [];
  for (let i = 0; i < head; i += 1) result.push(same(i, i));
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  result.push(...diffMiddle(before, after, head, oldEnd, head, newEnd, { same, removed, added }));
  for (let i = 0; i < tail; i += 1) result.push(same(oldEnd + i, newEnd + i));
  return result;
}

interface LineMakers {
  same(oldIndex: number, newIndex: number): DiffLine;
  removed(oldIndex: number): DiffLine;
  added(newIndex: number): DiffLine;
}

function diffMiddle(before: string[], after: string[], oldStart: number, oldEnd: number, newStart: number, newEnd: number, make: LineMakers): DiffLine[] {
  const rows = oldEnd - oldStart;
  const columns = newEnd - newStart;
  const lines: DiffLine[] = [];
  if (rows * columns > MAX_TABLE_CELLS) {
    for (let i = oldStart; i < oldEnd; i += 1) lines.push(make.removed(i));
    for (let j = newStart; j < newEnd; j += 1) lines.push(make.added(j));
    return lines;
  }
  // common[i][j]: the LCS length of before[oldStart+i..] and after[newStart+j..], row-major.
  const width = columns + 1;
  const common = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      common[i * width + j] =
        before[oldStart + i] === after[newStart + j]
          ? common[(i + 1) * width + j + 1]! + 1
          : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && before[oldStart + i] === after[newStart + j]) {
      lines.push(make.same(oldStart + i, newStart + j));
      i += 1;
      j += 1;
    } else if (j >= columns || (i < rows && common[(i + 1) * width + j]! >= common[i * width + j + 1]!)) {
      // Removals before additions, so a changed line reads as "-old" then "+new".
      lines.push(make.removed(oldStart + i));
      i += 1;
    } else {
      lines.push(make.added(newStart + j));
      j += 1;
    }
  }
  return lines;
}

/** The changed stretches of a diff, each with up to `context` unchanged lines before and after. */
export function diffHunks(lines: readonly DiffLine[], context = 3): DiffHunk[] {
  const changed = lines.flatMap((line, index) => (line.kind === 'same' ? [] : [index]));
  const hunks: DiffHunk[] = [];
  let start = -1;
  let end = -1;
  for (const index of changed) {
    if (start >= 0 && index - context <= end + context + 1) {
      end = index;
      continue;
    }
    if (start >= 0) hunks.push({ lines: lines.slice(Math.max(0, start - context), end + context + 1) });
    start = index;
    end = index;
  }
  if (start >= 0) hunks.push({ lines: lines.slice(Math.max(0, start - context), end + context + 1) });
  return hunks;
}
