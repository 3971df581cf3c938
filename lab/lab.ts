// The throwaway test lab: a private libvirtd with two networks and two guests, living in its own
// network and mount namespaces so nothing it does (bridges, dnsmasq, iptables/nft rules, QEMU
// taps) can reach the machine's real network. Integration tests, e2e tests and `serve --lab`
// all find it through the state file in the lab home.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { labHome, labHostRoot, labStateFile, labSwitchyardStateDirectory } from '../electron/core/lab-home';
import { parseNetDhcpLeases } from '../shared/libvirt/virsh-output';
import {
  CommandError,
  type CommandRunner,
  localCommandRunner,
  namespacedCommandRunner,
  runChecked,
} from '../electron/host/command-runner';

export interface LabNetwork {
  name: string;
  bridge: string;
  /** CIDR of the network, e.g. 192.168.122.0/24. */
  subnet: string;
}

export interface LabGuest {
  name: string;
  network: string;
  mac: string;
}

export interface LabInfo {
  /** Client URI for the lab's libvirtd, usable from outside the namespaces. */
  uri: string;
  /** Pid of the namespace holder; nsenter --target=nsPid enters the lab. */
  nsPid: number;
  stateDir: string;
  networks: LabNetwork[];
  guests: LabGuest[];
}

export interface StartLabOptions {
  /** Resolve only once every guest holds a DHCP lease. */
  waitForLeases?: boolean;
}

/** Thrown before anything is started when the machine cannot host the lab. */
export class LabPrerequisiteError extends Error {
  override name = 'LabPrerequisiteError';
}

/** A step of bringing the lab up failed; the lab was torn down again. */
export class LabStepError extends Error {
  override name = 'LabStepError';
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`Lab step "${step}" failed: ${describeError(cause)}`);
  }
}

/** What lab.json holds: LabInfo plus what teardown needs to recognise the holder after a crash. */
interface LabState extends LabInfo {
  /** readlink of /proc/<nsPid>/ns/net when the lab started, to detect pid reuse. */
  netNamespace: string;
  startedAt: string;
}

export const LAB_GUESTS: readonly LabGuest[] = [
  { name: 'lab-guest-1', network: 'default', mac: '52:54:00:5a:00:01' },
  { name: 'lab-guest-2', network: 'lab-isolated', mac: '52:54:00:5a:00:02' },
];

const ISOLATED_NETWORK_XML = `<network>
  <name>lab-isolated</name>
  <bridge name='virbr-lab1' stp='on' delay='0'/>
  <ip address='10.77.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.200'/>
    </dhcp>
  </ip>
</network>
`;

/** The default network as Debian ships it, for hosts whose /etc/libvirt lost it. */
const DEFAULT_NETWORK_XML = `<network>
  <name>default</name>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
`;

/** The option a test network carries in the dnsmasq namespace, which Switchyard does not model. */
export const TEST_DNSMASQ_OPTION = "<dnsmasq:option value='dhcp-authoritative'/>";

/**
 * A nat network for a test's own use on PREFIX.0/24 (PREFIX like "10.231.5"), DHCP over all of it,
 * with TEST_DNSMASQ_OPTION: XML an edit made in Switchyard must keep.
 */
export function testNetworkXml(name: string, bridge: string, prefix: string): string {
  return `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>${name}</name>
  <forward mode='nat'/>
  <bridge name='${bridge}' stp='on' delay='0'/>
  <ip address='${prefix}.1' prefix='24'>
    <dhcp>
      <range start='${prefix}.2' end='${prefix}.254'/>
    </dhcp>
  </ip>
  <dnsmasq:options>
    ${TEST_DNSMASQ_OPTION}
  </dnsmasq:options>
</network>
`;
}

const LAB_NETWORK_NAMES = ['default', 'lab-isolated'] as const;

const LEASE_TIMEOUT_MS = 60_000;
const DAEMON_READY_TIMEOUT_MS = 30_000;
const TERMINATE_GRACE_MS = 5_000;

/** Tool → Debian package that provides it, for the prerequisite message. */
const REQUIRED_TOOLS: readonly (readonly [string, string])[] = [
  ['unshare', 'util-linux'],
  ['start-stop-daemon', 'dpkg'],
  ['nsenter', 'util-linux'],
  ['mount', 'mount'],
  ['ip', 'iproute2'],
  ['virsh', 'libvirt-clients'],
  ['libvirtd', 'libvirt-daemon-system'],
  ['virtlogd', 'libvirt-daemon-system'],
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['dnsmasq', 'dnsmasq-base'],
  ['iptables', 'iptables'],
];

// The directories libvirtd uses, each replaced inside the lab's mount namespace by one under STATE.
const BIND_MOUNTS: readonly (readonly [string, string])[] = [
  ['run', '/run/libvirt'],
  ['lib', '/var/lib/libvirt'],
  ['log', '/var/log/libvirt'],
  ['etc', '/etc/libvirt'],
];

function lockFilePath(): string {
  return path.join(labHome(), 'lab.lock');
}

export function labUri(stateDir: string): string {
  return `qemu:///system?socket=${path.join(stateDir, 'run', 'libvirt-sock')}`;
}

export function labCommandRunner(info: LabInfo): CommandRunner {
  return namespacedCommandRunner(info.nsPid);
}

/** Runs virsh against the lab's libvirtd from outside the namespaces. */
function virsh(uri: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  return runChecked(localCommandRunner(), 'virsh', ['-c', uri, ...args], timeoutMs === undefined ? {} : { timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Brings the lab up, or returns the one already running. A lab left behind by a crash is torn
 * down first. Throws LabPrerequisiteError when not root or a tool is missing, LabStepError (after
 * tearing everything down) when a step fails.
 */
export async function startLab(options: StartLabOptions = {}): Promise<LabInfo> {
  await checkPrerequisites();
  return withLabLock(async () => {
    const existing = await readStateFile();
    let info: LabInfo;
    if (existing && (await isHealthy(existing))) {
      info = toLabInfo(existing);
    } else {
      if (existing) await teardown(existing);
      await sweepOrphanStateDirs();
      info = await bringUp();
    }
    if (options.waitForLeases) {
      try {
        if (existing?.stateDir === info.stateDir) await restartIdleGuests(info);
        for (const guest of info.guests) await waitForLease(info, guest.mac, LEASE_TIMEOUT_MS);
      } catch (error) {
        // A lab started here that cannot serve leases is useless; one that was already running
        // belongs to someone else, so leave it for them.
        if (!existing || existing.stateDir !== info.stateDir) await stopLabUnlocked();
        throw error;
      }
    }
    return info;
  });
}

/** Stops the lab and removes its state; safe to call when nothing runs or after a crash. */
export async function stopLab(): Promise<void> {
  await withLabLock(stopLabUnlocked);
}

/** The running lab, or undefined when there is none or it is not healthy. */
export async function readLabInfo(): Promise<LabInfo | undefined> {
  const state = await readStateFile();
  if (!state || !(await isHealthy(state))) return undefined;
  return toLabInfo(state);
}

/**
 * Polls the guest's network until dnsmasq has leased an address to `mac`; returns the IPv4
 * address without prefix length.
 */
export async function waitForLease(info: LabInfo, mac: string, timeoutMs: number): Promise<string> {
  const guest = info.guests.find((candidate) => candidate.mac.toLowerCase() === mac.toLowerCase());
  if (!guest) throw new Error(`No lab guest has MAC ${mac}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lastOutput = await virsh(info.uri, ['net-dhcp-leases', guest.network]);
    const address = findLeasedAddress(lastOutput, mac);
    if (address) return address;
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for a DHCP lease for ${guest.name} (MAC ${mac}) ` +
          `on network ${guest.network}. virsh net-dhcp-leases ${guest.network}:\n${lastOutput.trimEnd()}`,
      );
    }
    await sleep(500);
  }
}

/**
 * A reused lab's guests may have been stopped by a test, and iPXE asks for its lease only once
 * (dnsmasq leases for an hour, then forgets it). Start stopped guests and reset leaseless ones so
 * they ask again.
 */
async function restartIdleGuests(info: LabInfo): Promise<void> {
  for (const guest of info.guests) {
    const domainState = (await virsh(info.uri, ['domstate', guest.name])).trim();
    if (domainState !== 'running') {
      await virsh(info.uri, ['start', guest.name], 60_000);
      continue;
    }
    const leases = await virsh(info.uri, ['net-dhcp-leases', guest.network]);
    if (!findLeasedAddress(leases, guest.mac)) await virsh(info.uri, ['reset', guest.name]);
  }
}

/** The IPv4 address leased to `mac` in `virsh net-dhcp-leases` output, if any. */
export function findLeasedAddress(leasesOutput: string, mac: string): string | undefined {
  const wanted = mac.toLowerCase();
  return parseNetDhcpLeases(leasesOutput, '').find((lease) => lease.family === 'ipv4' && lease.mac === wanted)?.ip;
}

// ---------------------------------------------------------------------------------------------
// Bring-up

async function checkPrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new LabPrerequisiteError(
      'The lab needs root: it creates namespaces, bind mounts and runs its own libvirtd. Run it with sudo.',
    );
  }
  const missing: string[] = [];
  for (const [tool, debianPackage] of REQUIRED_TOOLS) {
    if (await findOnPath(tool)) continue;
    // sbin is not on every root PATH (e.g. `su` without `-`), but libvirtd and ip live there.
    const elsewhere = await findInDirectories(tool, ['/usr/sbin', '/sbin']);
    missing.push(elsewhere ? `${tool} (installed as ${elsewhere}, but not on PATH)` : `${tool} (apt-get install ${debianPackage})`);
  }
  if (missing.length > 0) {
    throw new LabPrerequisiteError(`The lab needs tools it cannot find: ${missing.join(', ')}`);
  }
}

async function findOnPath(tool: string): Promise<string | undefined> {
  return findInDirectories(tool, (process.env.PATH ?? '').split(':'));
}

async function findInDirectories(tool: string, directories: readonly string[]): Promise<string | undefined> {
  for (const directory of directories) {
    if (!directory) continue;
    const candidate = path.join(directory, tool);
    try {
      await fs.access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

async function bringUp(): Promise<LabInfo> {
  await fs.mkdir(labHome(), { recursive: true });
  const stateDir = await fs.mkdtemp(path.join(labHome(), 'state-'));
  const uri = labUri(stateDir);
  // Until the holder exists, a failure only leaves the directory behind.
  const started: { state?: LabState } = {};
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (started.state) await teardown(started.state).catch(() => undefined);
      else await removeOrphanStateDir(stateDir).catch(() => undefined);
      throw new LabStepError(name, error);
    }
  };

  await step('prepare /dev/kvm', prepareKvmDevice);
  await step('create mount points and state directories', () => prepareDirectories(stateDir));
  const { pid: nsPid, netNamespace } = await step('start namespace holder', () => startHolder(stateDir));
  const state: LabState = {
    uri,
    nsPid,
    stateDir,
    netNamespace,
    startedAt: new Date().toISOString(),
    networks: [],
    guests: LAB_GUESTS.map((guest) => ({ ...guest })),
  };
  started.state = state;
  // Written before anything else runs in the namespace so `down` can clean up after a crash.
  await step('write state file', () => writeStateFile(state));

  const inLab = namespacedCommandRunner(nsPid);
  await step('bring up loopback', () => runChecked(inLab, 'ip', ['link', 'set', 'lo', 'up']));
  for (const [source, target] of BIND_MOUNTS) {
    await step(`bind-mount ${target}`, () =>
      runChecked(inLab, 'mount', ['--bind', path.join(stateDir, source), target]),
    );
  }
  await step('start virtlogd', () =>
    runChecked(inLab, 'virtlogd', ['-d', '-p', '/run/libvirt/virtlogd.pid']),
  );
  await step('start libvirtd', () => startLabLibvirtd(inLab, uri, stateDir));
  const networks = await step('seed networks', () => seedNetworks(uri, stateDir));
  await step('seed guests', () => seedGuests(uri, stateDir));

  state.networks = networks;
  await step('write state file', () => writeStateFile(state));
  return toLabInfo(state);
}

/** Without kvm group access libvirt re-probes QEMU's capabilities on every define (~40 s). */
async function prepareKvmDevice(): Promise<void> {
  try {
    await fs.access('/dev/kvm');
  } catch {
    return;
  }
  await runChecked(localCommandRunner(), 'chown', ['root:kvm', '/dev/kvm']);
  await fs.chmod('/dev/kvm', 0o660);
}

async function prepareDirectories(stateDir: string): Promise<void> {
  // Bind mounts need their targets to exist; empty directories on the host are harmless.
  for (const [, target] of BIND_MOUNTS) await fs.mkdir(target, { recursive: true });
  for (const [source] of BIND_MOUNTS) await fs.mkdir(path.join(stateDir, source), { recursive: true });
  await fs.mkdir(path.join(stateDir, 'seed'), { recursive: true });
  // The host's configuration (qemu.conf, nwfilters, the default network) but none of its
  // guests or extra networks: the lab must hold exactly what tests expect.
  const etc = path.join(stateDir, 'etc');
  await fs.cp('/etc/libvirt/', etc, { recursive: true, verbatimSymlinks: true });
  await removeHostDefinitions(etc);
}

async function removeHostDefinitions(etc: string): Promise<void> {
  const qemuDir = path.join(etc, 'qemu');
  const networksDir = path.join(qemuDir, 'networks');
  for (const entry of await readdirOrEmpty(qemuDir)) {
    if (entry.endsWith('.xml')) await fs.rm(path.join(qemuDir, entry), { force: true });
  }
  await fs.rm(path.join(qemuDir, 'autostart'), { recursive: true, force: true });
  for (const entry of await readdirOrEmpty(networksDir)) {
    if (entry.endsWith('.xml') && entry !== 'default.xml') await fs.rm(path.join(networksDir, entry), { force: true });
  }
  // Autostart is decided by the seed, not by whatever the host had.
  await fs.rm(path.join(networksDir, 'autostart'), { recursive: true, force: true });
  await fs.mkdir(path.join(networksDir, 'autostart'), { recursive: true });
}

/**
 * Starts `sleep infinity` in fresh network and mount namespaces; its pid is the lab's handle.
 * start-stop-daemon (not child_process, which only electron/ may use) forks it into its own
 * session with stdio on /dev/null, so it outlives this process and holds none of our pipes open.
 * unshare execs sleep without forking, so the recorded pid is the holder itself.
 */
async function startHolder(stateDir: string): Promise<{ pid: number; netNamespace: string }> {
  const ownNamespace = await fs.readlink('/proc/self/ns/net');
  const pidFile = path.join(stateDir, 'holder.pid');
  await runChecked(localCommandRunner(), 'start-stop-daemon', [
    '--start',
    '--background',
    '--make-pidfile',
    '--pidfile',
    pidFile,
    '--exec',
    (await findOnPath('unshare')) ?? 'unshare',
    '--',
    '--mount',
    '--net',
    '--propagation',
    'private',
    'sleep',
    'infinity',
  ]);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
    const holder = pid > 0 ? await inspectProcess(pid) : undefined;
    if (holder && holder.cmdline === 'sleep infinity' && holder.netNamespace !== ownNamespace) {
      return { pid, netNamespace: holder.netNamespace };
    }
    if (Date.now() > deadline) {
      throw new Error(`unshare did not create the namespaces (holder pid file: ${pid || 'none'})`);
    }
    await sleep(20);
  }
}

async function startLabLibvirtd(inLab: CommandRunner, uri: string, stateDir: string): Promise<void> {
  await runChecked(inLab, 'libvirtd', ['-d', '-p', '/run/libvirt/libvirtd.pid']);
  await waitForDaemon(uri, stateDir);
}

/** Stops the lab's libvirtd (guests, dnsmasq and virtlogd keep running), as a crash or an upgrade would. */
export async function stopLibvirtd(info: LabInfo): Promise<void> {
  const pidFile = path.join(info.stateDir, 'run', 'libvirtd.pid');
  const pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while ((await inspectProcess(pid)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`libvirtd (pid ${pid}) did not stop within 10 s`);
    await sleep(50);
  }
}

/** Starts the lab's libvirtd again and waits until it answers. */
export async function startLibvirtd(info: LabInfo): Promise<void> {
  await startLabLibvirtd(labCommandRunner(info), info.uri, info.stateDir);
}

async function waitForDaemon(uri: string, stateDir: string): Promise<void> {
  const deadline = Date.now() + DAEMON_READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await virsh(uri, ['version'], 10_000);
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  const log = await fs.readFile(path.join(stateDir, 'log', 'libvirtd.log'), 'utf8').catch(() => '');
  throw new Error(
    `libvirtd did not answer on ${uri} within ${DAEMON_READY_TIMEOUT_MS} ms: ${describeError(lastError)}` +
      (log ? `\nlibvirtd.log:\n${log.slice(-2000)}` : ''),
  );
}

async function seedNetworks(uri: string, stateDir: string): Promise<LabNetwork[]> {
  const defined = (await virsh(uri, ['net-list', '--all', '--name'])).split('\n').map((line) => line.trim());
  if (!defined.includes('default')) {
    const file = path.join(stateDir, 'seed', 'default.xml');
    await fs.writeFile(file, DEFAULT_NETWORK_XML);
    await virsh(uri, ['net-define', file]);
  }
  const isolatedFile = path.join(stateDir, 'seed', 'lab-isolated.xml');
  await fs.writeFile(isolatedFile, ISOLATED_NETWORK_XML);
  await virsh(uri, ['net-define', isolatedFile]);

  const active = (await virsh(uri, ['net-list', '--name'])).split('\n').map((line) => line.trim());
  const networks: LabNetwork[] = [];
  for (const name of LAB_NETWORK_NAMES) {
    await virsh(uri, ['net-autostart', name]);
    if (!active.includes(name)) await virsh(uri, ['net-start', name]);
    networks.push(parseNetwork(name, await virsh(uri, ['net-dumpxml', name])));
  }
  return networks;
}

/** Reads bridge and IPv4 subnet from network XML; the default network comes from the host's copy. */
function parseNetwork(name: string, xml: string): LabNetwork {
  const bridge = /<bridge\b[^>]*\bname=['"]([^'"]+)['"]/.exec(xml)?.[1];
  const ip = /<ip\b([^>]*)>/.exec(xml)?.[1] ?? '';
  const address = /\baddress=['"]([^'"]+)['"]/.exec(ip)?.[1];
  const netmask = /\bnetmask=['"]([^'"]+)['"]/.exec(ip)?.[1];
  const prefixAttribute = /\bprefix=['"](\d+)['"]/.exec(ip)?.[1];
  if (!bridge || !address || (!netmask && !prefixAttribute)) {
    throw new Error(`Cannot read bridge and IPv4 address of network ${name} from:\n${xml}`);
  }
  const prefix = prefixAttribute ? Number(prefixAttribute) : prefixFromNetmask(netmask!);
  return { name, bridge, subnet: `${networkAddress(address, prefix)}/${prefix}` };
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function prefixFromNetmask(netmask: string): number {
  return ipv4ToNumber(netmask).toString(2).replace(/0+$/, '').length;
}

function networkAddress(address: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipv4ToNumber(address) & mask) >>> 0;
  return [24, 16, 8, 0].map((shift) => (network >>> shift) & 0xff).join('.');
}

/** The domain XML of a diskless guest that PXE-boots on its network, so that dnsmasq leases it an address. */
export function guestXml(guest: LabGuest): string {
  // No <graphics>: nothing needs a display, and a VNC server would be one more listener.
  // Booting from the network makes iPXE ask dnsmasq for a lease, which is all tests need.
  return `<domain type='qemu'>
  <name>${guest.name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <!-- ACPI: without it the i440fx PCI bus cannot hot-plug the NICs tests attach. -->
  <features><acpi/></features>
  <devices>
    <interface type='network'>
      <mac address='${guest.mac}'/>
      <source network='${guest.network}'/>
      <model type='virtio'/>
    </interface>
    <console type='pty'/>
  </devices>
</domain>
`;
}

/** Defines a guest like the seeded ones on any network (started with `start`), for a test's own use. */
export async function defineLabGuest(info: LabInfo, guest: LabGuest, options: { start: boolean }): Promise<void> {
  const file = path.join(info.stateDir, 'seed', `${guest.name}.xml`);
  await fs.writeFile(file, guestXml(guest));
  await virsh(info.uri, ['define', file]);
  if (options.start) await virsh(info.uri, ['start', guest.name], 60_000);
}

/** Stops and undefines a test's guest; one that is not there (anymore) is fine. */
export async function removeLabGuest(info: LabInfo, name: string): Promise<void> {
  await virsh(info.uri, ['destroy', name]).catch(() => undefined);
  await virsh(info.uri, ['undefine', name]).catch(() => undefined);
}

async function seedGuests(uri: string, stateDir: string): Promise<void> {
  for (const guest of LAB_GUESTS) {
    const file = path.join(stateDir, 'seed', `${guest.name}.xml`);
    await fs.writeFile(file, guestXml(guest));
    await virsh(uri, ['define', file]);
    await virsh(uri, ['start', guest.name], 60_000);
  }
}

// ---------------------------------------------------------------------------------------------
// Health and state file

async function readStateFile(): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(labStateFile(), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LabState>;
    if (typeof parsed.nsPid !== 'number' || typeof parsed.stateDir !== 'string') return undefined;
    return {
      uri: parsed.uri ?? labUri(parsed.stateDir),
      nsPid: parsed.nsPid,
      stateDir: parsed.stateDir,
      netNamespace: parsed.netNamespace ?? '',
      startedAt: parsed.startedAt ?? '',
      networks: parsed.networks ?? [],
      guests: parsed.guests ?? [],
    };
  } catch {
    // A half-written file from a crash: nothing in it can be trusted, orphan sweeping cleans up.
    return undefined;
  }
}

async function writeStateFile(state: LabState): Promise<void> {
  const file = labStateFile();
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await fs.rename(temporary, file);
}

function toLabInfo(state: LabState): LabInfo {
  return {
    uri: state.uri,
    nsPid: state.nsPid,
    stateDir: state.stateDir,
    networks: state.networks.map((network) => ({ ...network })),
    guests: state.guests.map((guest) => ({ ...guest })),
  };
}

async function isHealthy(state: LabState): Promise<boolean> {
  if (state.networks.length === 0) return false; // bring-up never finished
  if (!(await isTrustedHolder(state))) return false;
  try {
    await virsh(state.uri, ['version'], 5_000);
    return true;
  } catch {
    return false;
  }
}

/** The recorded pid is still our `sleep infinity` in a namespace other than ours (not a reused pid). */
async function isTrustedHolder(state: LabState): Promise<boolean> {
  const holder = await inspectProcess(state.nsPid);
  if (!holder || holder.cmdline !== 'sleep infinity') return false;
  const ownNamespace = await fs.readlink('/proc/self/ns/net');
  if (holder.netNamespace === ownNamespace) return false;
  return state.netNamespace === '' || holder.netNamespace === state.netNamespace;
}

interface ProcessView {
  cmdline: string;
  netNamespace: string;
}

async function inspectProcess(pid: number): Promise<ProcessView | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    const netNamespace = await fs.readlink(`/proc/${pid}/ns/net`);
    return { cmdline: raw.split('\0').filter(Boolean).join(' '), netNamespace };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Teardown

async function stopLabUnlocked(): Promise<void> {
  const state = await readStateFile();
  if (state) await teardown(state);
  await sweepOrphanStateDirs();
  for (const directory of [labSwitchyardStateDirectory(), labHostRoot()]) await fs.rm(directory, { recursive: true, force: true });
  await fs.rm(labStateFile(), { force: true });
}

/** Kills everything in the lab's namespaces (found even after a crash) and removes its state. */
async function teardown(state: LabState): Promise<void> {
  const namespaces = new Set<string>();
  if (await isTrustedHolder(state)) {
    const holder = await inspectProcess(state.nsPid);
    if (holder) namespaces.add(holder.netNamespace);
  }
  for (const namespace of await namespacesFromPidFiles(state.stateDir)) namespaces.add(namespace);
  for (const namespace of namespaces) await killNamespace(namespace);
  await fs.rm(state.stateDir, { recursive: true, force: true });
  await fs.rm(labStateFile(), { force: true });
}

/**
 * When the holder is gone, libvirtd, dnsmasq or QEMU may still keep the namespace alive; their
 * pid files lead to it (and holder.pid to a holder that lab.json never recorded). A pid is trusted only if it runs the expected program outside our own
 * namespace, so a reused pid never gets a host process killed.
 */
async function namespacesFromPidFiles(stateDir: string): Promise<Set<string>> {
  const ownNamespace = await fs.readlink('/proc/self/ns/net');
  const expectedPrograms: readonly (readonly [string, RegExp])[] = [
    [stateDir, /^sleep infinity$/],
    [path.join(stateDir, 'run'), /\b(libvirtd|virtlogd)\b/],
    [path.join(stateDir, 'run', 'qemu'), /qemu-system/],
    [path.join(stateDir, 'run', 'network'), /dnsmasq/],
  ];
  const namespaces = new Set<string>();
  for (const [directory, program] of expectedPrograms) {
    for (const entry of await readdirOrEmpty(directory)) {
      if (!entry.endsWith('.pid')) continue;
      const pid = Number((await fs.readFile(path.join(directory, entry), 'utf8').catch(() => '')).trim());
      if (!Number.isInteger(pid) || pid <= 1) continue;
      const candidate = await inspectProcess(pid);
      if (candidate && program.test(candidate.cmdline) && candidate.netNamespace !== ownNamespace) {
        namespaces.add(candidate.netNamespace);
      }
    }
  }
  return namespaces;
}

/** Pids of every process whose network namespace is `netNamespace`. */
export async function processesInNamespace(netNamespace: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdirOrEmpty('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await fs.readlink(`/proc/${entry}/ns/net`)) === netNamespace) pids.push(Number(entry));
    } catch {
      // Exited meanwhile, or a kernel thread.
    }
  }
  return pids;
}

/**
 * The lab's network namespace as /proc/PID/ns/net names it (e.g. `net:[4026532301]`). Tests read
 * it before stopLab() to prove afterwards that no process is left in it.
 */
export async function labNetNamespace(info: LabInfo): Promise<string> {
  return fs.readlink(`/proc/${info.nsPid}/ns/net`);
}

async function killNamespace(netNamespace: string): Promise<void> {
  if (netNamespace === (await fs.readlink('/proc/self/ns/net'))) return; // never the host
  signalAll(await processesInNamespace(netNamespace), 'SIGTERM');
  const deadline = Date.now() + TERMINATE_GRACE_MS;
  while (Date.now() < deadline) {
    if ((await processesInNamespace(netNamespace)).length === 0) return;
    await sleep(100);
  }
  signalAll(await processesInNamespace(netNamespace), 'SIGKILL');
  const killDeadline = Date.now() + TERMINATE_GRACE_MS;
  while (Date.now() < killDeadline) {
    if ((await processesInNamespace(netNamespace)).length === 0) return;
    await sleep(100);
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** State directories with no lab.json pointing at them come from a crash during bring-up. */
async function sweepOrphanStateDirs(): Promise<void> {
  const current = await readStateFile();
  for (const entry of await readdirOrEmpty(labHome())) {
    if (!entry.startsWith('state-')) continue;
    const stateDir = path.join(labHome(), entry);
    if (current && path.resolve(current.stateDir) === path.resolve(stateDir)) continue;
    await removeOrphanStateDir(stateDir);
  }
}

async function removeOrphanStateDir(stateDir: string): Promise<void> {
  for (const namespace of await namespacesFromPidFiles(stateDir)) await killNamespace(namespace);
  await fs.rm(stateDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Lock: one bring-up or teardown at a time across processes (test workers, CLI, serve).

async function withLabLock<T>(action: () => Promise<T>): Promise<T> {
  await fs.mkdir(labHome(), { recursive: true });
  const lockFile = lockFilePath();
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await fs.writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await fs.readFile(lockFile, 'utf8').catch(() => '')).trim());
    // An empty lock file is one being written right now, unless it has been empty for a while.
    const justCreated = owner === 0 && Date.now() - (await lockAgeBase(lockFile)) < 5_000;
    if (!justCreated && !isAlive(owner)) {
      // The owner died holding the lock (or wrote nothing yet and died).
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Lab lock ${lockFile} held by pid ${owner} for too long`);
    await sleep(200);
  }
  try {
    return await action();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

async function lockAgeBase(lockFile: string): Promise<number> {
  try {
    return (await fs.stat(lockFile)).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------

async function readdirOrEmpty(directory: string): Promise<string[]> {
  try {
    return await fs.readdir(directory);
  } catch {
    return [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeError(error: unknown): string {
  if (error instanceof CommandError) {
    const stderr = error.result.stderr.trim();
    return `${error.argv.join(' ')} exited with ${error.result.code}${stderr ? `: ${stderr}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
