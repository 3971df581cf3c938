// Topology discovery against the real lab: what it finds equals what the lab's kernel, libvirt's
// pid files and virsh say, and a link appearing in the lab is reported by the link monitor.
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCommandRunner, readLabInfo, startLab, stopLab, waitForLease, type LabInfo } from '../../lab/lab';
import { buildTopologyGraph } from '../../shared/topology/graph';
import { createCore } from '../core/bootstrap';
import { localCommandRunner, runChecked } from './command-runner';
import { KernelTopologyHost, type KernelTopology } from './topology';

const isRoot = process.getuid?.() === 0;

let lab: LabInfo;
let startedHere = false;
let host: KernelTopologyHost;
let topology: KernelTopology;

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const labRun = (program: string, ...args: string[]) => runChecked(labCommandRunner(lab), program, args);
/** A file of the lab's mount namespace (libvirt's pid files live there). */
const labFile = (path: string) => fs.readFile(`/proc/${lab.nsPid}/root${path}`, 'utf8');

/** The tap of each running guest's NIC, as `virsh domiflist` lists it. */
async function guestTaps(guest: string): Promise<string[]> {
  const rows = (await virsh('domiflist', guest)).split('\n').slice(2);
  return rows.map((row) => row.trim().split(/\s+/)[0]!).filter((tap) => tap && tap !== '-');
}

describe.skipIf(!isRoot)('topology discovery in the lab', () => {
  beforeAll(async () => {
    const running = await readLabInfo();
    startedHere = running === undefined;
    lab = running ?? (await startLab({ waitForLeases: true }));
    for (const guest of lab.guests) await waitForLease(lab, guest.mac, 90_000);
    host = new KernelTopologyHost(labCommandRunner(lab), lab.nsPid);
    topology = await host.readTopology();
  });

  afterAll(async () => {
    if (startedHere) await stopLab();
  });

  it('reads everything without problems', () => {
    expect(topology.problems).toEqual([]);
  });

  it('reports the lab kernel’s links, with the guests’ taps as forwarding bridge ports', async () => {
    const kernel = JSON.parse(await labRun('ip', '-json', 'link', 'show')) as { ifname: string }[];
    expect(topology.links.map((link) => link.name).sort()).toEqual(kernel.map((link) => link.ifname).sort());
    for (const guest of lab.guests) {
      for (const tap of await guestTaps(guest.name)) {
        expect(topology.links.find((link) => link.name === tap)).toMatchObject({ carrier: true, physical: false, portState: 'forwarding' });
      }
    }
  });

  it('reports the default routes’ links as ip does', async () => {
    const routes = JSON.parse(await labRun('ip', '-json', 'route', 'show', 'default')) as { dev?: string }[];
    expect(topology.defaultRouteDevs).toEqual(expect.arrayContaining(routes.flatMap((route) => (route.dev ? [route.dev] : []))));
  });

  it('finds each network’s dnsmasq: the pid libvirt recorded, its configuration and listening link', async () => {
    for (const network of lab.networks) {
      const pid = Number((await labFile(`/run/libvirt/network/${network.name}.pid`)).trim());
      const dnsmasq = topology.dnsmasq.find((process) => process.network === network.name);
      expect(dnsmasq).toEqual({
        pid,
        confFile: `/var/lib/libvirt/dnsmasq/${network.name}.conf`,
        network: network.name,
        interfaces: [network.bridge],
        listenAddresses: [],
      });
    }
  });

  it('sees the NAT network’s masquerade rule, none for the isolated one, and the forwarding switch', async () => {
    const nat = lab.networks.find((network) => network.name === 'default')!;
    const isolated = lab.networks.find((network) => network.name === 'lab-isolated')!;
    expect(topology.masqueradedSubnets).toContain(nat.subnet);
    expect(topology.masqueradedSubnets).not.toContain(isolated.subnet);
    const forwarding = (await labRun('cat', '/proc/sys/net/ipv4/ip_forward')).trim();
    expect(topology.ipForwarding).toBe(forwarding === '1');
  });

  it('maps each guest’s taps to its QEMU through /proc fdinfo', async () => {
    for (const guest of lab.guests) {
      const pid = Number((await labFile(`/run/libvirt/qemu/${guest.name}.pid`)).trim());
      expect(topology.tapProcesses.find((process) => process.pid === pid)).toEqual({
        pid,
        name: guest.name,
        command: expect.stringMatching(/^qemu/),
        taps: await guestTaps(guest.name),
      });
    }
  });

  it('reports a link appearing in the lab through the link monitor', async () => {
    let changes = 0;
    let ended = false;
    const stop = host.watchLinks(
      () => (changes += 1),
      () => (ended = true),
    );
    try {
      // The monitor needs a moment to subscribe before the change it should see.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await labRun('ip', 'tuntap', 'add', 'dev', 'sywatch0', 'mode', 'tap');
      await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThan(0);
      expect(ended).toBe(false);
    } finally {
      stop();
      await labRun('ip', 'link', 'del', 'sywatch0').catch(() => undefined);
    }
  });

  it('gives the core a graph with each guest behind its tap on its network', async () => {
    const core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid });
    try {
      const snapshot = await core.refresh();
      const graph = buildTopologyGraph(snapshot, snapshot.hostTopology);
      for (const guest of lab.guests) {
        const [tap] = await guestTaps(guest.name);
        expect(graph.edges).toContainEqual(expect.objectContaining({ source: `network:${guest.network}`, target: `port:${tap}`, kind: 'port' }));
        expect(graph.edges).toContainEqual(
          expect.objectContaining({ source: `port:${tap}`, target: `vm:${guest.name}`, kind: 'nic', mac: guest.mac, network: guest.network }),
        );
      }
      // The lab's guests are libvirt's: no tap holder is left over as a foreign process.
      expect(graph.nodes.filter((node) => node.data.kind === 'process')).toEqual([]);
    } finally {
      core.stop();
    }
  });
});
