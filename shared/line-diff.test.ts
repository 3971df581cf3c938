import { describe, expect, it } from 'vitest';
import { diffHunks, diffLines, type DiffLine } from './line-diff';

/** A diff in the familiar unified notation, one string per line. */
function unified(lines: readonly DiffLine[]): string[] {
  return lines.map((line) => `${line.kind === 'same' ? ' ' : line.kind === 'added' ? '+' : '-'}${line.text}`);
}

describe('diffLines', () => {
  it('marks every line of equal texts as the same, with both line numbers', () => {
    expect(diffLines('a\nb\n', 'a\nb\n')).toEqual([
      { kind: 'same', text: 'a', oldNumber: 1, newNumber: 1 },
      { kind: 'same', text: 'b', oldNumber: 2, newNumber: 2 },
    ]);
  });

  it('shows a changed line as the old one removed, then the new one added', () => {
    const old = "<ip>\n  <range start='192.168.122.2' end='192.168.122.254'/>\n</ip>\n";
    const next = "<ip>\n  <range start='192.168.122.100' end='192.168.122.200'/>\n</ip>\n";
    expect(diffLines(old, next)).toEqual([
      { kind: 'same', text: '<ip>', oldNumber: 1, newNumber: 1 },
      { kind: 'removed', text: "  <range start='192.168.122.2' end='192.168.122.254'/>", oldNumber: 2 },
      { kind: 'added', text: "  <range start='192.168.122.100' end='192.168.122.200'/>", newNumber: 2 },
      { kind: 'same', text: '</ip>', oldNumber: 3, newNumber: 3 },
    ]);
  });

  it('finds lines that were only moved apart by insertions and deletions', () => {
    expect(unified(diffLines('a\nb\nc\nd\ne', 'a\nx\nc\ne\ny'))).toEqual([' a', '-b', '+x', ' c', '-d', ' e', '+y']);
  });

  it('handles empty texts and a missing final newline', () => {
    expect(diffLines('', '')).toEqual([]);
    expect(unified(diffLines('', 'a\n'))).toEqual(['+a']);
    expect(unified(diffLines('a\nb', ''))).toEqual(['-a', '-b']);
    expect(unified(diffLines('a\nb', 'a\nb\n'))).toEqual([' a', ' b']);
  });

  it('treats CRLF line ends like LF', () => {
    expect(unified(diffLines('a\r\nb\r\n', 'a\nc\n'))).toEqual([' a', '-b', '+c']);
  });

  it('keeps every line of both texts exactly once, in order', () => {
    const old = Array.from({ length: 40 }, (_, i) => `line ${i % 7}`).join('\n');
    const next = Array.from({ length: 35 }, (_, i) => `line ${(i * 3) % 5}`).join('\n');
    const lines = diffLines(old, next);
    expect(lines.flatMap((l) => (l.kind === 'added' ? [] : [l.text]))).toEqual(old.split('\n'));
    expect(lines.flatMap((l) => (l.kind === 'removed' ? [] : [l.text]))).toEqual(next.split('\n'));
  });
});

describe('diffHunks', () => {
  const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');

  it('has no hunk when nothing changed', () => {
    expect(diffHunks(diffLines(old, old))).toEqual([]);
  });

  it('keeps up to `context` unchanged lines around each change, and splits distant changes', () => {
    const next = old.replace('l2\n', 'L2\n').replace('l15\n', 'L15\n');
    const hunks = diffHunks(diffLines(old, next), 2);
    expect(hunks.map((hunk) => unified(hunk.lines))).toEqual([
      [' l0', ' l1', '-l2', '+L2', ' l3', ' l4'],
      [' l13', ' l14', '-l15', '+L15', ' l16', ' l17'],
    ]);
  });

  it('joins changes whose context would touch', () => {
    const next = old.replace('l5\n', 'L5\n').replace('l9\n', 'L9\n');
    const hunks = diffHunks(diffLines(old, next), 2);
    expect(hunks).toHaveLength(1);
    expect(unified(hunks[0]!.lines)).toEqual([' l3', ' l4', '-l5', '+L5', ' l6', ' l7', ' l8', '-l9', '+L9', ' l10', ' l11']);
  });
});
