// Builds a core for a connection URI, choosing where host operations run: on this host, inside a
// lab's namespaces, or nowhere (a remote libvirt, whose host we cannot read).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { localCommandRunner, namespacedCommandRunner, type CommandRunner } from '../host/command-runner';
import { DnsmasqInstances } from '../host/dnsmasq-instances';
import { LeaseFileHost, VirshLeaseHost, type LeaseHost } from '../host/leases';
import { VirshLibvirtHost } from '../host/libvirt';
import { IprouteLinkHost } from '../host/links';
import { VirshNicHost } from '../host/nics';
import { KernelTopologyHost } from '../host/topology';
import { Virsh } from '../host/virsh';
import { HelperClient, INSTALLED_HELPER_PATH, pkexecHelperArgv } from '../helper/helper-client';
import { HostOperations, resolvePrograms } from '../helper/privileged-operations';
import { SwitchyardCore, type CoreHosts, type CoreOptions } from './core';
import { HostBridges, type HostBridgesOptions } from './host-bridges';
import { labHostRoot, labStateFile, labSwitchyardStateDirectory } from './lab-home';
import { PortForwards } from './port-forwards';

export const DEFAULT_URI = 'qemu:///system';

export interface CoreTarget {
  uri: string;
  /** Run host-level reads inside the network and mount namespaces of this process (a lab). */
  hostNamespacePid?: number;
}

/** True for URIs that name a libvirt on this machine (no host part, no remote transport). */
export function isLocalUri(uri: string): boolean {
  const match = /^([a-z0-9.-]+)(\+[a-z0-9]+)?:\/\/([^/?]*)/i.exec(uri);
  if (!match) return false;
  const transport = match[2]?.slice(1).toLowerCase();
  const host = match[3] ?? '';
  return (host === '' || host === 'localhost') && (transport === undefined || transport === 'unix');
}

export function connectHosts(target: CoreTarget, uri: string): CoreHosts {
  const local = localCommandRunner();
  const hostRunner: CommandRunner | undefined =
    target.hostNamespacePid !== undefined && uri === target.uri
      ? namespacedCommandRunner(target.hostNamespacePid)
      : isLocalUri(uri)
        ? local
        : undefined;
  const namespacePid = hostRunner === local ? undefined : target.hostNamespacePid;
  return {
    libvirt: new VirshLibvirtHost(uri, local),
    nics: new VirshNicHost(uri, local),
    leases: leaseHost(target, uri, new VirshLeaseHost(new Virsh(uri, local))),
    ...(hostRunner
      ? { links: new IprouteLinkHost(hostRunner), topology: new KernelTopologyHost(hostRunner, namespacePid) }
      : {}),
  };
}

/**
 * True for the system libvirt of this machine, whose network driver keeps its lease files here. A
 * libvirtd on a socket of its own (a lab, a container) keeps them wherever its mounts put them.
 */
export function hasLocalLeaseFiles(uri: string): boolean {
  return isLocalUri(uri) && /^[a-z0-9]+(\+unix)?:\/\/(localhost)?\/system$/i.test(uri);
}

/**
 * Lease files where they are on this machine: under the lab's mount namespace (reached through
 * /proc/PID/root, where inotify works as anywhere) for the lab, under / for a local system libvirt,
 * with those of the other dnsmasq instances running in the same network namespace. Elsewhere
 * (remote, session, test driver, another socket) only virsh knows the leases.
 */
function leaseHost(target: CoreTarget, uri: string, virsh: VirshLeaseHost): LeaseHost {
  const inLab = target.hostNamespacePid !== undefined && uri === target.uri;
  if (!inLab && !hasLocalLeaseFiles(uri)) return virsh;
  const root = inLab ? `/proc/${target.hostNamespacePid}/root` : '/';
  const dnsmasq = new DnsmasqInstances({ namespacePid: inLab ? target.hostNamespacePid! : 'self', root });
  return new LeaseFileHost({ root, fallback: virsh, findDnsmasqLeaseFiles: () => dnsmasq.leaseFiles() });
}

export function createCore(target: CoreTarget, options: Pick<CoreOptions, 'refreshIntervalMs'> = {}): SwitchyardCore {
  const host = hostContext(target);
  const hostBridges = host && createHostBridges(host, () => void core.refresh(), () => core.getSnapshot().networks);
  const portForwards =
    host && new PortForwards({ uri: target.uri, runner: host.runner, privileged: host.privileged, stateDirectory: stateDirectory(target), snapshot: () => core.getSnapshot() });
  const core: SwitchyardCore = new SwitchyardCore({
    ...options,
    uri: target.uri,
    connectHosts: (uri) => connectHosts(target, uri),
    ...(hostBridges ? { hostBridges } : {}),
    ...(portForwards ? { portForwards } : {}),
  });
  if (portForwards) core.onSnapshot((snapshot) => void portForwards.reconcile(snapshot));
  return core;
}

interface HostContext {
  runner: CommandRunner;
  /** Where persistence files go: "/" on a real host, a directory of the lab's own for the lab. */
  root: string;
  /** Shared by every root-only feature, so a desktop user starts (and authorizes) one helper. */
  privileged: HostBridgesOptions['privileged'];
}

/** The machine the core runs on, or the lab's namespaces; none for a remote libvirt. */
function hostContext(target: CoreTarget): HostContext | undefined {
  const inLab = target.hostNamespacePid !== undefined;
  if (!inLab && !isLocalUri(target.uri)) return undefined;
  const runner = inLab ? namespacedCommandRunner(target.hostNamespacePid!) : localCommandRunner();
  const root = inLab ? labHostRoot() : '/';
  return { runner, root, privileged: privilegedOperations(runner, root) };
}

/**
 * Host bridges act on the machine the core runs on, or inside the lab's namespaces, whose
 * persistence files go to a directory of the lab's own instead of the real /etc.
 */
function createHostBridges(host: HostContext, onChange: () => void, networks: HostBridgesOptions['networks']): HostBridges {
  return new HostBridges({ runner: host.runner, root: host.root, onChange, networks, privileged: host.privileged });
}

/**
 * Switchyard's own state (port forwards): /var/lib/switchyard for root, the XDG state directory
 * for a desktop user, and a directory in the lab's home for the lab.
 */
export function stateDirectory(target: CoreTarget, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string {
  if (target.hostNamespacePid !== undefined) return labSwitchyardStateDirectory();
  if (uid === 0) return '/var/lib/switchyard';
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'switchyard');
}

function privilegedOperations(runner: CommandRunner, root: string): HostBridgesOptions['privileged'] {
  const unavailable = (message: string, hint: string) => ({ mode: 'unavailable' as const, error: { code: 'no-privileges', message, hint } });
  if (process.getuid?.() === 0) {
    try {
      return { mode: 'in-process', operations: new HostOperations({ runner, programs: resolvePrograms(), root, uid: 0 }) };
    } catch (error) {
      return unavailable((error as Error).message, 'Install iproute2.');
    }
  }
  // An AppImage is mounted for its user alone: nothing inside it can be what pkexec runs as root.
  if (process.env.APPIMAGE) {
    return unavailable(
      'The AppImage has no privileged mode: it cannot install the root-owned helper that changes host networking.',
      'Install the deb or rpm package to create host bridges, or run Switchyard as root.',
    );
  }
  if (!existsSync(INSTALLED_HELPER_PATH)) {
    return unavailable(`The Switchyard helper is not installed at ${INSTALLED_HELPER_PATH}.`, 'Install Switchyard from its deb or rpm package.');
  }
  return { mode: 'helper', operations: new HelperClient(pkexecHelperArgv()) };
}

/** Where `npm run lab:up` records the running lab. */
const LabStateSchema = z.object({ uri: z.string(), nsPid: z.number().int().positive() });

/** The core target of the running lab, or a clear error when there is none. */
export function readLabTarget(): CoreTarget {
  const file = labStateFile();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`No lab is running (${file} is missing). Start one with "npm run lab:up".`);
  }
  const state = LabStateSchema.parse(JSON.parse(text));
  return { uri: state.uri, hostNamespacePid: state.nsPid };
}
