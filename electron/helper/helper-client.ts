// The app's side of the helper: starts it once (through pkexec for a desktop user), sends each
// operation as one JSON line and matches answers by id. Closing stdin ends the helper, which
// rolls back whatever is still unconfirmed.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SwitchyardError } from '../../shared/errors';
import {
  HELPER_PROTOCOL_VERSION,
  HelperResponseSchema,
  helperResults,
  type HelperArguments,
  type HelperOperation,
  type HelperResult,
} from '../../shared/helper-protocol';
import { startProgram } from '../host/command-runner';
import type { PrivilegedOperations } from './privileged-operations';

/** Where the deb and rpm packages install the helper (root-owned, named by the polkit action). */
export const INSTALLED_HELPER_PATH = '/usr/libexec/switchyard/switchyard-helper';

/** The argv that starts the installed helper as root after polkit asked the user. */
export function pkexecHelperArgv(helperPath = INSTALLED_HELPER_PATH): string[] {
  return ['/usr/bin/pkexec', '--disable-internal-agent', helperPath];
}

interface Pending {
  operation: HelperOperation;
  resolve: (value: unknown) => void;
  reject: (error: SwitchyardError) => void;
}

export class HelperClient implements PrivilegedOperations {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';

  constructor(private readonly argv: readonly string[]) {}

  call<O extends HelperOperation>(operation: O, args: HelperArguments<O>): Promise<HelperResult<O>> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise<HelperResult<O>>((resolve, reject) => {
      this.pending.set(id, { operation, resolve: resolve as (value: unknown) => void, reject });
      child.stdin!.write(`${JSON.stringify({ v: HELPER_PROTOCOL_VERSION, id, op: operation, args })}\n`);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  }

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const child = startProgram(this.argv, { stdin: true });
    this.child = child;
    this.stderr = '';
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.answer(line));
    child.stderr!.on('data', (chunk: Buffer) => {
      // Kept for the error message when the helper dies; bounded so a chatty helper cannot grow it.
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.on('error', (error) => this.failAll(helperFailed(`The helper could not be started: ${error.message}`)));
    child.on('exit', (code) => this.failAll(helperExit(code, this.stderr)));
    child.stdin!.on('error', () => {
      // The exit handler reports why the helper went away.
    });
    return child;
  }

  private answer(line: string): void {
    let parsed;
    try {
      parsed = HelperResponseSchema.safeParse(JSON.parse(line));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.id === null) return;
    const pending = this.pending.get(parsed.data.id);
    if (!pending) return;
    this.pending.delete(parsed.data.id);
    const response = parsed.data;
    if (!response.ok) {
      pending.reject(new SwitchyardError(response.error));
      return;
    }
    const result = helperResults[pending.operation].safeParse(response.result);
    if (result.success) pending.resolve(result.data);
    else pending.reject(helperFailed(`The helper answered ${pending.operation} with something unexpected.`));
  }

  private failAll(error: SwitchyardError): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function helperFailed(message: string): SwitchyardError {
  return new SwitchyardError({
    code: 'helper-failed',
    message,
    hint: 'Check that Switchyard is installed from its deb or rpm package, which installs the helper and its polkit action.',
  });
}

/** pkexec's exit codes: 126 when the user dismissed the dialog, 127 when not authorized. */
function helperExit(code: number | null, stderr: string): SwitchyardError {
  if (code === 126) {
    return new SwitchyardError({
      code: 'not-authorized',
      message: 'The authentication dialog was dismissed, so nothing was changed.',
      hint: 'Try again and enter an administrator password when asked.',
    });
  }
  if (code === 127) {
    return new SwitchyardError({
      code: 'not-authorized',
      message: `polkit did not authorize the Switchyard helper${stderr.trim() ? `: ${stderr.trim()}` : '.'}`,
      hint: 'Log in as a user who may administer the machine, and make sure a polkit authentication agent runs in your session.',
    });
  }
  return helperFailed(`The helper exited (code ${code ?? 'signal'})${stderr.trim() ? `: ${stderr.trim()}` : '.'}`);
}
