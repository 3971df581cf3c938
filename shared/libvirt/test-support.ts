/// <reference types="vite/client" />
// Helpers for the parser tests. Fixtures come in through Vite's raw imports (vitest resolves
// them), so the tests need no node: modules, like everything else in shared/.
import { expect } from 'vitest';

const fixtures: Record<string, string> = import.meta.glob('./fixtures/**/*.{xml,txt}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** The text of a fixture, by path under fixtures/, e.g. "network/nat-network.xml". */
export function readFixture(path: string): string {
  const text = fixtures[`./fixtures/${path}`];
  if (text === undefined) throw new Error(`There is no fixture ${path}.`);
  return text;
}

/** Paths (as readFixture takes them) of every fixture in a subdirectory of fixtures/. */
export function fixturePaths(directory: string): string[] {
  const prefix = `./fixtures/${directory}/`;
  return Object.keys(fixtures)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice('./fixtures/'.length))
    .sort();
}

/** Matches a thrown SwitchyardError with `code` and a hint, about `field` when one is given. */
export function switchyardError(code: string, field?: string) {
  return expect.objectContaining({
    name: 'SwitchyardError',
    value: expect.objectContaining({ code, hint: expect.any(String), ...(field ? { field } : {}) }),
  });
}
