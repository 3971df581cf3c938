// Runs external programs with argument arrays (never a shell string), optionally inside the
// network and mount namespaces of another process, which is how the core reads a lab's host.
import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when a signal ended the program. */
  code: number | null;
}

export interface RunOptions {
  /** Bytes written to the program's standard input. */
  input?: string;
  /** Kill the program after this many milliseconds. */
  timeoutMs?: number;
}

export interface CommandRunner {
  run(program: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** The argv that run() executes, for long-lived programs the caller spawns itself. */
  argv(program: string, args: readonly string[]): string[];
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
    super(`${argv[0]} failed: ${detail}`);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Runs programs directly, or through a fixed prefix such as nsenter. */
class PrefixedCommandRunner implements CommandRunner {
  constructor(private readonly prefix: readonly string[]) {}

  argv(program: string, args: readonly string[]): string[] {
    return [...this.prefix, program, ...args];
  }

  run(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const [file, ...rest] = this.argv(program, args);
    return runArgv(file!, rest, options);
  }
}

/** Runs programs in the core's own namespaces. */
export function localCommandRunner(): CommandRunner {
  return new PrefixedCommandRunner([]);
}

/**
 * Runs programs inside the network and mount namespaces of process `pid` through nsenter, so
 * `ip`, `nft` and file reads see the lab's kernel state instead of the runner's.
 */
export function namespacedCommandRunner(pid: number): CommandRunner {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Not a process id: ${pid}`);
  return new PrefixedCommandRunner(['nsenter', `--target=${pid}`, '--net', '--mount', '--']);
}

export interface StartOptions {
  /** Put the program in its own session, so it outlives its parent's process group. */
  detached?: boolean;
  /** Discard the program's output instead of piping it. */
  quiet?: boolean;
  /** Pipe the program's standard input too (a peer that reads requests), instead of ignoring it. */
  stdin?: boolean;
}

/** Starts a long-lived program (an event stream, a server, a namespace holder) from an argv. */
export function startProgram(argv: readonly string[], options: StartOptions = {}): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('startProgram needs a program.');
  return spawn(file, args, {
    stdio: options.quiet ? 'ignore' : [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
}

function runArgv(file: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // A fixed C locale keeps virsh and ip output parseable whatever the user's language.
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code,
      });
    });
    child.stdin.on('error', () => {
      // The program may exit without reading its input; its exit status tells the story.
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs and throws CommandError unless the program exits 0. */
export async function runChecked(
  runner: CommandRunner,
  program: string,
  args: readonly string[],
  options?: RunOptions,
): Promise<string> {
  const result = await runner.run(program, args, options);
  if (result.code !== 0) throw new CommandError(runner.argv(program, args), result);
  return result.stdout;
}
