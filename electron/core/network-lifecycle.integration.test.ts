// A network's lifecycle against the real lab, through the handler table as the UI calls it: an
// edit libvirt applies live (dnsmasq's config changes, the bridge stays), an edit that restarts
// the network (and puts the running guest's tap back on the bridge), a failed restart that leaves
// the network exactly as it was, a refusal before anything is applied, autostart, stop/start and
// delete. The network and its guest are this file's own (hot-unplugging a NIC from a PXE-booting
// guest never completes, so the lab's guests are left alone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestInput, RequestName, RequestOutput, Result } from '../../shared/contract';
import { parseNetworkXml, type NetworkDefinition } from '../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../shared/libvirt/network-xml-edit';
import { canonicalXml } from '../../shared/libvirt/xml-canonical';
import type { ErrorValue } from '../../shared/model';
import {
  defineLabGuest,
  labCommandRunner,
  readLabInfo,
  removeLabGuest,
  startLab,
  stopLab,
  TEST_DNSMASQ_OPTION,
  testNetworkXml,
  type LabInfo,
} from '../../lab/lab';
import { localCommandRunner, runChecked } from '../host/command-runner';
import { createCore } from './bootstrap';
import type { SwitchyardCore } from './core';
import { createHandlerTable, dispatchRequest, type HandlerTable } from './handlers';

const isRoot = process.getuid?.() === 0;

const NETWORK = 'swy-lifecycle';
const BRIDGE = 'virbr-swylc';
const HOST_BRIDGE = 'swylc-hostbr';
const GUEST = 'swy-lifecycle-guest';
const NIC_MAC = '52:54:00:5e:1c:01';
const NETWORK_XML = testNetworkXml(NETWORK, BRIDGE, '10.231.5');

let lab: LabInfo;
let startedHere = false;
let core: SwitchyardCore;
let table: HandlerTable;

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const inLab = (program: string, ...args: string[]) => runChecked(labCommandRunner(lab), program, args);

/** A request through the handler table, as a shell passes it on, with the contract's output type. */
async function request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>> {
  return (await dispatchRequest(table, name, input)) as Result<RequestOutput<N>>;
}

function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.message} (${result.error.field ?? ''}: ${result.error.hint ?? ''})`);
  return result.value;
}

function expectError(result: Result<unknown>): ErrorValue {
  if (result.ok) throw new Error('The request succeeded, but it should have been refused.');
  return result.error;
}

/** The stored definition as the edit dialog gets it, with `change` applied losslessly. */
async function editedXml(change: (definition: NetworkDefinition) => void): Promise<string> {
  const { xml } = expectOk(await request('getNetworkDefinition', { name: NETWORK }));
  const definition = parseNetworkXml(xml);
  change(definition);
  return applyNetworkDefinition(xml, definition);
}

async function link(name: string): Promise<{ ifindex: number; master?: string } | undefined> {
  const links = JSON.parse(await inLab('ip', '-json', 'link', 'show')) as { ifname: string; ifindex: number; master?: string }[];
  return links.find((entry) => entry.ifname === name);
}

/** The tap of the guest's NIC on the network, as libvirt names it. */
async function guestTap(): Promise<string> {
  const row = (await virsh('domiflist', GUEST)).split('\n').find((line) => line.includes(NIC_MAC));
  const tap = row?.trim().split(/\s+/)[0];
  if (!tap) throw new Error(`${GUEST} has no NIC ${NIC_MAC}`);
  return tap;
}

async function removeEverything(): Promise<void> {
  await removeLabGuest(lab, GUEST);
  await virsh('net-destroy', NETWORK).catch(() => undefined);
  await virsh('net-undefine', NETWORK).catch(() => undefined);
  await inLab('ip', 'link', 'del', HOST_BRIDGE).catch(() => undefined);
}

describe.skipIf(!isRoot)('network lifecycle in the lab', () => {
  beforeAll(async () => {
    const running = await readLabInfo();
    startedHere = running === undefined;
    lab = running ?? (await startLab());
    await removeEverything();
    core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid });
    table = createHandlerTable(core);
    core.start();
    await core.refresh();
    const created = expectOk(await request('createNetwork', { xml: NETWORK_XML, start: true, autostart: false }));
    expect(created).toMatchObject({ name: NETWORK, active: true, autostart: false });
    await defineLabGuest(lab, { name: GUEST, network: NETWORK, mac: NIC_MAC }, { start: true });
  });

  afterAll(async () => {
    core?.stop();
    // Whatever a failed test left behind goes, so the lab stays as it was.
    if (lab) await removeEverything();
    if (startedHere) await stopLab();
  });

  it('applies a DHCP range change live: dnsmasq gets the new range, the bridge and the guest stay', async () => {
    const bridgeBefore = await link(BRIDGE);
    const xml = await editedXml((d) => {
      d.ips[0]!.dhcpRanges = [{ start: '10.231.5.100', end: '10.231.5.150' }];
    });
    const result = expectOk(await request('updateNetwork', { name: NETWORK, xml, allowRestart: false }));
    expect(result.applied).toBe('live');
    expect(result.network.ips[0]?.dhcpRanges).toEqual([{ start: '10.231.5.100', end: '10.231.5.150' }]);
    expect(await inLab('cat', `/var/lib/libvirt/dnsmasq/${NETWORK}.conf`)).toMatch(/^dhcp-range=10\.231\.5\.100,10\.231\.5\.150/m);
    expect(await virsh('net-dumpxml', NETWORK)).toContain("<range start='10.231.5.100' end='10.231.5.150'/>");
    const stored = await virsh('net-dumpxml', '--inactive', NETWORK);
    expect(stored).toContain("<range start='10.231.5.100' end='10.231.5.150'/>");
    // The XML the model does not know survives the edit.
    expect(stored).toContain(TEST_DNSMASQ_OPTION);
    expect((await link(BRIDGE))?.ifindex).toBe(bridgeBefore?.ifindex);
    expect((await link(await guestTap()))?.master).toBe(BRIDGE);
  });

  it('restarts only when allowed, then puts the guest’s tap back on the bridge', async () => {
    const bridgeBefore = await link(BRIDGE);
    const xml = await editedXml((d) => {
      d.domain = 'lifecycle.test';
    });
    const refused = expectError(await request('updateNetwork', { name: NETWORK, xml, allowRestart: false }));
    expect(refused).toMatchObject({ code: 'restart-required', field: 'allowRestart' });
    expect(refused.message).toContain('the DNS domain changed');
    expect(await virsh('net-dumpxml', '--inactive', NETWORK)).not.toContain('lifecycle.test');

    const result = expectOk(await request('updateNetwork', { name: NETWORK, xml, allowRestart: true }));
    expect(result).toMatchObject({ applied: 'restarted', detachedTaps: [] });
    expect(await virsh('net-dumpxml', NETWORK)).toContain("<domain name='lifecycle.test'/>");
    expect(await inLab('cat', `/var/lib/libvirt/dnsmasq/${NETWORK}.conf`)).toMatch(/^domain=lifecycle\.test$/m);
    expect((await link(BRIDGE))?.ifindex).not.toBe(bridgeBefore?.ifindex);
    expect((await link(await guestTap()))?.master).toBe(BRIDGE);
    expect(await virsh('net-dumpxml', '--inactive', NETWORK)).toContain(TEST_DNSMASQ_OPTION);
  });

  it('leaves the network as it was when libvirt refuses the restart: defined, running, same XML', async () => {
    const storedBefore = await virsh('net-dumpxml', '--inactive', NETWORK);
    const liveBefore = await virsh('net-dumpxml', NETWORK);
    // dnsmasq refuses an option it does not know, so the network cannot start with it.
    const xml = storedBefore.replace(TEST_DNSMASQ_OPTION, `${TEST_DNSMASQ_OPTION}<dnsmasq:option value='no-such-option=1'/>`);
    const failure = expectError(await request('updateNetwork', { name: NETWORK, xml, allowRestart: true }));
    expect(failure.code).toBe('libvirt-error');
    expect(failure.message).toContain('bad option');
    expect(failure.hint).toContain('dnsmasq');
    expect(failure.hint).toContain('restored to its previous definition and started again');
    expect(canonicalXml(await virsh('net-dumpxml', '--inactive', NETWORK))).toBe(canonicalXml(storedBefore));
    expect(canonicalXml(await virsh('net-dumpxml', NETWORK))).toBe(canonicalXml(liveBefore));
    expect(core.getSnapshot().networks.find((n) => n.name === NETWORK)).toMatchObject({ active: true, persistent: true });
    expect((await link(await guestTap()))?.master).toBe(BRIDGE);
  });

  it('refuses a bridge name a host bridge already has before libvirt is asked', async () => {
    await inLab('ip', 'link', 'add', HOST_BRIDGE, 'type', 'bridge');
    await core.refresh();
    const storedBefore = await virsh('net-dumpxml', '--inactive', NETWORK);
    const xml = await editedXml((d) => {
      d.bridge = { ...d.bridge!, name: HOST_BRIDGE };
    });
    const refused = expectError(await request('updateNetwork', { name: NETWORK, xml, allowRestart: true }));
    expect(refused).toMatchObject({ code: 'invalid-input', field: 'bridge.name' });
    expect(refused.message).toContain(`already has an interface named ${HOST_BRIDGE}`);
    expect(await virsh('net-dumpxml', '--inactive', NETWORK)).toBe(storedBefore);
    expect(await link(BRIDGE)).toBeDefined();
  });

  it('turns autostart on and off', async () => {
    const on = expectOk(await request('setNetworkAutostart', { name: NETWORK, autostart: true }));
    expect(on.autostart).toBe(true);
    expect(await virsh('net-info', NETWORK)).toMatch(/^Autostart:\s+yes$/m);
    const off = expectOk(await request('setNetworkAutostart', { name: NETWORK, autostart: false }));
    expect(off.autostart).toBe(false);
    expect(await virsh('net-info', NETWORK)).toMatch(/^Autostart:\s+no$/m);
  });

  it('stops the network and starts it again with the guest back on the bridge', async () => {
    const stopped = expectOk(await request('stopNetwork', { name: NETWORK }));
    expect(stopped.active).toBe(false);
    expect(await link(BRIDGE)).toBeUndefined();
    const started = expectOk(await request('startNetwork', { name: NETWORK }));
    expect(started).toMatchObject({ network: { active: true }, detachedTaps: [] });
    expect((await link(await guestTap()))?.master).toBe(BRIDGE);
  });

  it('deletes the network: destroyed and undefined', async () => {
    await virsh('destroy', GUEST);
    expect(expectOk(await request('deleteNetwork', { name: NETWORK }))).toEqual({ name: NETWORK });
    expect(await virsh('net-list', '--all', '--name')).not.toMatch(new RegExp(`^${NETWORK}$`, 'm'));
    expect(await link(BRIDGE)).toBeUndefined();
    expect(core.getSnapshot().networks.some((n) => n.name === NETWORK)).toBe(false);
  });
});
