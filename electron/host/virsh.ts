// Talks to libvirt through virsh. One virsh process runs a whole batch of commands (its own
// command language, separated by ';'), because each process costs ~35 ms: reading a host one
// call per fact is an order of magnitude slower.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SwitchyardError } from '../../shared/errors';
import type { CommandRunner } from './command-runner';

/** Quotes one argument for virsh's own command parser (not a shell: virsh never runs one). */
export function quoteVirshArg(arg: string): string {
  if (/^[A-Za-z0-9_.:/@+=-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface VirshBatchResult {
  /** One output per command, in order; empty when the command failed. */
  outputs: string[];
  /** Everything virsh wrote to stderr, the failures of single commands included. */
  stderr: string;
}

// A random marker per batch, so no object name or XML content can fake a section boundary.
function newMarker(): string {
  return `@@switchyard-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}@@`;
}

export class Virsh {
  constructor(
    readonly uri: string,
    private readonly runner: CommandRunner,
  ) {}

  /**
   * Runs commands (each an argument array) in one virsh process. Throws a
   * "libvirt-unreachable" error when virsh could not connect at all.
   */
  async batch(commands: readonly (readonly string[])[]): Promise<VirshBatchResult> {
    if (commands.length === 0) return { outputs: [], stderr: '' };
    const marker = newMarker();
    const script = commands
      .map((command) => `${command.map(quoteVirshArg).join(' ')} ; echo ${marker}`)
      .join(' ; ');
    // No --quiet here: it drops table headers, which the table parsers locate columns by.
    const result = await this.runner.run('virsh', ['--connect', this.uri, script], {
      timeoutMs: 60_000,
    });
    const sections = result.stdout.split(`${marker}\n`);
    if (sections.length < commands.length + 1) {
      throw unreachable(this.uri, result.stderr || result.stdout);
    }
    return { outputs: sections.slice(0, commands.length).map((s) => s.trim()), stderr: result.stderr };
  }

  /** Runs one command and throws libvirt's own message when it fails. */
  async run(command: readonly string[]): Promise<string> {
    const result = await this.runner.run('virsh', ['--quiet', '--connect', this.uri, ...command], {
      timeoutMs: 60_000,
    });
    if (result.code !== 0) {
      const message = cleanVirshError(result.stderr) || `virsh ${command[0]} failed`;
      if (/failed to connect to the hypervisor/i.test(result.stderr)) throw unreachable(this.uri, result.stderr);
      throw new SwitchyardError({ code: 'libvirt-error', message });
    }
    return result.stdout;
  }
}

/**
 * virsh reads XML (devices, network definitions) only from a file (its stdin from us is a
 * socket, which /dev/stdin cannot open): a private temporary file, removed afterwards whatever
 * happens.
 */
export async function withXmlFile<T>(xml: string, use: (file: string) => Promise<T>): Promise<T> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-xml-'));
  try {
    const file = path.join(directory, 'definition.xml');
    await fs.writeFile(file, xml, { mode: 0o600 });
    return await use(file);
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}

/** virsh prefixes each line with "error: "; the user wants libvirt's sentence, not that noise. */
export function cleanVirshError(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.replace(/^error:\s*/, '').trim())
    .filter((line) => line.length > 0)
    .join(' — ');
}

function unreachable(uri: string, stderr: string): SwitchyardError {
  return new SwitchyardError({
    code: 'libvirt-unreachable',
    message: cleanVirshError(stderr) || `virsh could not connect to ${uri}.`,
    field: 'uri',
    hint: uri.startsWith('qemu:///system')
      ? 'Start the libvirt daemon (for example "systemctl start libvirtd") and check that your user may use it; Switchyard reconnects by itself.'
      : 'Check the connection URI and that the libvirt daemon behind it is running; Switchyard reconnects by itself.',
  });
}
