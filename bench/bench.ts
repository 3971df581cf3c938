// `npm run bench`: figures for the lease path, each beside a baseline, in one run in the lab.
//  1. From dnsmasq granting a lease (the mtime of libvirt's rewritten BRIDGE.status) to the
//     renderer's store holding it — the renderer's own zustand store and WebSocket client, fed by
//     the built serve shell (`dist/serve.cjs --lab`) in its own process — against polling
//     `virsh net-dhcp-leases` back to back.
//  2. Loading and sorting 10 000 leases: parsing a status file of that size and sorting it as the
//     lease table does, against parsing `virsh net-dhcp-leases` output of the same size.
//  3. Discovering the lab host's topology (bench/topology-bench.ts): the core's read against the
//     equivalent virsh and ip commands run one process each; and the topology view's layout and
//     first render of 50 networks / 500 VMs in Chromium, beside the lab's size.
// Reported, never asserted: the numbers depend on the machine.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startServe, stopServe } from '../e2e/serve-fixture';
import { localCommandRunner } from '../electron/host/command-runner';
import { LIBVIRT_DNSMASQ_DIR } from '../electron/host/leases';
import { Virsh } from '../electron/host/virsh';
import { readLabInfo, startLab, stopLab, waitForLease, type LabInfo } from '../lab/lab';
import { sortLeases } from '../renderer/src/leaseRows';
import { DISCOVERY_ROUNDS, measureDiscovery, measureRendering, renderingReport } from './topology-bench';
import { parseLeaseStatusFile } from '../shared/leases/lease-files';
import { parseNetDhcpLeases } from '../shared/libvirt/virsh-output';
import type { Snapshot } from '../shared/model';

type RendererStore = (typeof import('../renderer/src/store'))['useAppStore'];

/**
 * The renderer's store, connected as the served page connects it: the browser globals it reads
 * are given from the page URL serve printed, and WebSocket is `ws` sending the page's Origin.
 */
async function rendererStore(pageUrl: string): Promise<RendererStore> {
  const page = new URL(pageUrl);
  const memoryStorage = (): Storage => {
    const values = new Map<string, string>();
    return {
      get length() {
        return values.size;
      },
      clear: () => values.clear(),
      getItem: (key) => values.get(key) ?? null,
      key: (index) => [...values.keys()][index] ?? null,
      removeItem: (key) => values.delete(key),
      setItem: (key, value) => values.set(key, value),
    };
  };
  Object.assign(globalThis, {
    window: {
      location: page,
      history: { state: null, replaceState: () => undefined },
      localStorage: memoryStorage(),
      sessionStorage: memoryStorage(),
      matchMedia: () => ({ matches: false }),
    },
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url, { origin: page.origin });
      }
    },
  });
  const { useAppStore } = await import('../renderer/src/store');
  useAppStore.getState().start();
  return useAppStore;
}

const LEASE_ROUNDS = 5;
const LOAD_ROUNDS = 7;
const LEASE_COUNT = 10_000;

interface Row {
  what: string;
  ours: number;
  baseline: number;
  baselineName: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One renewal: reset the guest, then time both the store's push and virsh polling from the grant. */
async function leaseLatencyRound(lab: LabInfo, store: RendererStore, virsh: Virsh): Promise<{ push: number; poll: number }> {
  const guest = lab.guests.find((g) => g.network === 'default')!;
  const bridge = lab.networks.find((n) => n.name === guest.network)!.bridge;
  const statusFile = `/proc/${lab.nsPid}/root${LIBVIRT_DNSMASQ_DIR}/${bridge}.status`;
  const expiryNow = (snapshot: Snapshot | null) => snapshot?.leases.find((l) => l.mac === guest.mac)?.expiresAt ?? 0;
  const before = expiryNow(store.getState().snapshot);
  const beforeTable = (await virsh.batch([['net-dhcp-leases', guest.network]])).outputs[0] ?? '';
  const beforeRow = beforeTable.split('\n').find((line) => line.includes(guest.mac));

  let pushedAt = 0;
  const stop = store.subscribe((state) => {
    if (!pushedAt && expiryNow(state.snapshot) > before) pushedAt = performance.timeOrigin + performance.now();
  });
  let polledAt = 0;
  const polling = (async () => {
    const deadline = Date.now() + 60_000;
    while (!polledAt && Date.now() < deadline) {
      const table = (await virsh.batch([['net-dhcp-leases', guest.network]])).outputs[0] ?? '';
      const row = table.split('\n').find((line) => line.includes(guest.mac));
      if (row && row !== beforeRow) polledAt = performance.timeOrigin + performance.now();
    }
  })();
  await virsh.run(['reset', guest.name]);
  await polling;
  const deadline = Date.now() + 10_000;
  while (!pushedAt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  stop();
  if (!pushedAt || !polledAt) throw new Error(`The renewed lease of ${guest.name} did not arrive within a minute.`);
  const grantedAt = (await stat(statusFile)).mtimeMs;
  return { push: pushedAt - grantedAt, poll: polledAt - grantedAt };
}

function generatedLeases(): { statusJson: string; virshTable: string } {
  const entries = Array.from({ length: LEASE_COUNT }, (_, i) => {
    // Shuffled so the sort has work to do.
    const n = (i * 7919) % LEASE_COUNT;
    return {
      'ip-address': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      'mac-address': `52:54:00:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
      hostname: `guest-${n}`,
      'client-id': `01:52:54:00:00:${(n & 255).toString(16).padStart(2, '0')}`,
      'expiry-time': 1_795_446_823 + n,
    };
  });
  // virsh's table: every column as wide as its widest cell, three spaces between columns.
  const header = ['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'];
  const cells = entries.map((e) => [
    new Date(e['expiry-time'] * 1000).toISOString().slice(0, 19).replace('T', ' '),
    e['mac-address'],
    'ipv4',
    `${e['ip-address']}/8`,
    e.hostname,
    e['client-id'],
  ]);
  const widths = header.map((h, column) => Math.max(h.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => ` ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('   ')}`;
  const virshTable = [line(header), '-'.repeat(line(header).length + 2), ...cells.map(line), ''].join('\n');
  return { statusJson: JSON.stringify(entries, null, 2), virshTable };
}

function timeLoadAndSort(): Row {
  const { statusJson, virshTable } = generatedLeases();
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < LOAD_ROUNDS; round += 1) {
    let start = performance.now();
    const fromStatus = sortLeases(parseLeaseStatusFile(statusJson, { network: 'bench', prefixes: { ipv4: 8 } }), 'ip', 'asc');
    ours.push(performance.now() - start);
    start = performance.now();
    const fromVirsh = sortLeases(parseNetDhcpLeases(virshTable, 'bench'), 'ip', 'asc');
    baseline.push(performance.now() - start);
    if (fromStatus.length !== LEASE_COUNT || fromVirsh.length !== LEASE_COUNT) throw new Error('The generated leases did not all parse.');
  }
  return {
    what: `load + sort ${LEASE_COUNT} leases (median of ${LOAD_ROUNDS})`,
    ours: median(ours),
    baseline: median(baseline),
    baselineName: 'parse net-dhcp-leases output + sort',
  };
}

function printTable(rows: readonly Row[]): void {
  const lines = [
    ['measurement', 'Switchyard', 'baseline', 'baseline is', 'baseline / Switchyard'],
    ...rows.map((row) => [row.what, `${row.ours.toFixed(1)} ms`, `${row.baseline.toFixed(1)} ms`, row.baselineName, `${(row.baseline / row.ours).toFixed(1)}×`]),
  ];
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  for (const [index, line] of lines.entries()) {
    console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  const running = await readLabInfo();
  const lab = running ?? (await startLab({ waitForLeases: true }));
  const serve = await startServe(['--lab']);
  try {
    for (const guest of lab.guests) await waitForLease(lab, guest.mac, 90_000);
    const store = await rendererStore(serve.url);
    const guest = lab.guests.find((g) => g.network === 'default')!;
    await waitFor(() => store.getState().snapshot?.leases.some((l) => l.mac === guest.mac) ?? false, 'the store to hold the lab guest’s lease');
    const virsh = new Virsh(lab.uri, localCommandRunner());
    const rounds: { push: number; poll: number }[] = [];
    for (let round = 0; round < LEASE_ROUNDS; round += 1) {
      rounds.push(await leaseLatencyRound(lab, store, virsh));
      console.log(`lease round ${round + 1}: renderer store ${rounds.at(-1)!.push.toFixed(1)} ms, virsh poll ${rounds.at(-1)!.poll.toFixed(1)} ms after the grant`);
    }
    const discovery = await measureDiscovery(lab);
    const rendering = await measureRendering([
      { networks: lab.networks.length, vms: lab.guests.length },
      { networks: 50, vms: 500 },
    ]);
    console.log('');
    printTable([
      {
        what: `lease granted → renderer store holds it (median of ${LEASE_ROUNDS})`,
        ours: median(rounds.map((r) => r.push)),
        baseline: median(rounds.map((r) => r.poll)),
        baselineName: 'polling virsh net-dhcp-leases back to back',
      },
      timeLoadAndSort(),
      {
        what: `discover the lab host: networks, VMs, leases, links, topology (median of ${DISCOVERY_ROUNDS})`,
        ours: discovery.core,
        baseline: discovery.perCommand,
        baselineName: `the ${discovery.commands} virsh/ip/nft/ps commands, one process each`,
      },
    ]);
    console.log('');
    for (const line of renderingReport(rendering)) console.log(line);
    console.log("\nThe grant time is the mtime of libvirt's BRIDGE.status, which its lease helper rewrites when dnsmasq grants or renews.");
    console.log('The store is the renderer’s, fed over WebSocket by dist/serve.cjs --lab running in its own process.');
  } finally {
    await stopServe(serve);
    if (!running) await stopLab();
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The store's client would keep reconnecting to the stopped serve shell: end here.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
