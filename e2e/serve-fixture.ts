// Starts the built serve shell against the running lab and yields the URL it printed.
import type { ChildProcess } from 'node:child_process';
import { test as base } from '@playwright/test';
import { startProgram } from '../electron/host/command-runner';

export interface ServeInstance {
  url: string;
  process: ChildProcess;
}

export async function startServe(args: string[] = ['--lab']): Promise<ServeInstance> {
  const child = startProgram([process.execPath, 'dist/serve.cjs', ...args]);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Switchyard serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return { url, process: child };
}

export async function stopServe(instance: ServeInstance): Promise<void> {
  if (instance.process.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once('exit', resolve));
  instance.process.kill('SIGTERM');
  await exited;
}

/** A serve shell on the lab for the whole file. */
export const test = base.extend<object, { serve: ServeInstance }>({
  serve: [
    // eslint-disable-next-line no-empty-pattern -- Playwright's fixture signature needs the pattern.
    async ({}, use) => {
      const instance = await startServe();
      await use(instance);
      await stopServe(instance);
    },
    { scope: 'worker' },
  ],
});
export { expect } from '@playwright/test';
