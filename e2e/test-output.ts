// Where e2e runs write: test-output/ by default; SWITCHYARD_TEST_OUTPUT moves it, so that two
// runs against two labs on one machine do not clear each other's screenshots and traces.
import { mkdirSync } from 'node:fs';

export const TEST_OUTPUT = process.env.SWITCHYARD_TEST_OUTPUT ?? 'test-output';
export const SCREENSHOTS = `${TEST_OUTPUT}/screenshots`;
mkdirSync(SCREENSHOTS, { recursive: true });
