// For unit tests: libvirt's test:///default driver as one hypervisor that remembers changes.
// The driver starts from its built-in state in every virsh process, so this runner replays the
// state-changing commands that succeeded so far in front of each new command, in one process,
// and returns only the new command's output. It can also make a chosen command fail the way
// libvirt would, for the failures the test driver cannot produce (a bridge that will not start).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CommandResult, CommandRunner, RunOptions } from './command-runner';
import { localCommandRunner } from './command-runner';
import { quoteVirshArg } from './virsh';

const CHANGING_COMMANDS = new Set(['net-define', 'net-undefine', 'net-start', 'net-destroy', 'net-autostart', 'net-update']);

interface InjectedFailure {
  matches(command: readonly string[]): boolean;
  stderr: string;
}

export class TestDriverSession implements CommandRunner {
  private readonly history: string[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly runner = localCommandRunner();
  /** Every command run so far (argument arrays after the connection options), for assertions. */
  readonly commands: string[][] = [];
  private directory: string | undefined;

  /** Makes the next command that `matches` fail with libvirt's `message`, changing nothing. */
  failNext(matches: (command: readonly string[]) => boolean, message: string): void {
    this.failures.push({ matches, stderr: `error: ${message}\n` });
  }

  argv(program: string, args: readonly string[]): string[] {
    return [program, ...args];
  }

  async run(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const connect = args.indexOf('--connect');
    if (program !== 'virsh' || connect < 0) throw new Error(`TestDriverSession runs only virsh --connect, not ${program} ${args.join(' ')}`);
    const flags = args.slice(0, connect + 2);
    const command = args.slice(connect + 2);
    this.commands.push(command);
    const failure = this.failures.findIndex((f) => f.matches(command));
    if (failure >= 0) {
      const [{ stderr }] = this.failures.splice(failure, 1) as [InjectedFailure];
      return { stdout: '', stderr, code: 1 };
    }
    // A batch arrives as one script argument, already quoted; a single command as arguments.
    const script = command.length === 1 ? command[0]! : command.map(quoteVirshArg).join(' ');
    const marker = '@@switchyard-test-session@@';
    const replayed = [...this.history, `echo ${marker}`, script].join(' ; ');
    const result = await this.runner.run(program, [...flags, replayed], options);
    const stdout = result.stdout.slice(result.stdout.indexOf(`${marker}\n`) + marker.length + 1);
    if (result.code === 0 && CHANGING_COMMANDS.has(command[0] ?? '')) this.history.push(await this.keepable(command));
    return { ...result, stdout };
  }

  /** The command as it can be replayed later: a definition file is copied, since the caller removes its own. */
  private async keepable(command: readonly string[]): Promise<string> {
    const fileIndex = command.indexOf('--file') + 1;
    if (command[0] !== 'net-define' || fileIndex === 0) return command.map(quoteVirshArg).join(' ');
    this.directory ??= await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-test-session-'));
    const copy = path.join(this.directory, `${this.history.length}.xml`);
    await fs.copyFile(command[fileIndex]!, copy);
    return command.map((arg, index) => quoteVirshArg(index === fileIndex ? copy : arg)).join(' ');
  }

  async dispose(): Promise<void> {
    if (this.directory) await fs.rm(this.directory, { recursive: true, force: true });
  }
}
