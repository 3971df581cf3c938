// `npm run bench`: figures for the lease path, each beside a baseline, in one run in the lab.
//  1. From dnsmasq granting a lease (the mtime of libvirt's rewritten BRIDGE.status) to a
//     subscriber of the core holding it, against polling `virsh net-dhcp-leases` back to back.
//  2. Loading and sorting 10 000 leases: parsing a status file of that size and sorting it as the
//     lease table does, against parsing `virsh net-dhcp-leases` output of the same size.
// Reported, never asserted: the numbers depend on the machine.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createCore } from '../electron/core/bootstrap';
import { localCommandRunner } from '../electron/host/command-runner';
import { LIBVIRT_DNSMASQ_DIR } from '../electron/host/leases';
import { Virsh } from '../electron/host/virsh';
import { readLabInfo, startLab, stopLab, waitForLease, type LabInfo } from '../lab/lab';
import { sortLeases } from '../renderer/src/leaseRows';
import { parseLeaseStatusFile } from '../shared/leases/lease-files';
import { parseNetDhcpLeases } from '../shared/libvirt/virsh-output';
import type { Snapshot } from '../shared/model';

const LEASE_ROUNDS = 3;
const LOAD_ROUNDS = 7;
const LEASE_COUNT = 10_000;

interface Row {
  what: string;
  ours: number;
  baseline: number;
  baselineName: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One renewal: reset the guest, then time both the core's push and virsh polling from the grant. */
async function leaseLatencyRound(lab: LabInfo, core: ReturnType<typeof createCore>, virsh: Virsh): Promise<{ push: number; poll: number }> {
  const guest = lab.guests.find((g) => g.network === 'default')!;
  const bridge = lab.networks.find((n) => n.name === guest.network)!.bridge;
  const statusFile = `/proc/${lab.nsPid}/root${LIBVIRT_DNSMASQ_DIR}/${bridge}.status`;
  const expiryNow = (snapshot: Snapshot) => snapshot.leases.find((l) => l.mac === guest.mac)?.expiresAt ?? 0;
  const before = expiryNow(core.getSnapshot());
  const beforeTable = (await virsh.batch([['net-dhcp-leases', guest.network]])).outputs[0] ?? '';
  const beforeRow = beforeTable.split('\n').find((line) => line.includes(guest.mac));

  let pushedAt = 0;
  const stop = core.onSnapshot((snapshot) => {
    if (!pushedAt && expiryNow(snapshot) > before) pushedAt = performance.timeOrigin + performance.now();
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
  const core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid });
  try {
    for (const guest of lab.guests) await waitForLease(lab, guest.mac, 90_000);
    core.start();
    await core.refresh();
    const virsh = new Virsh(lab.uri, localCommandRunner());
    const rounds: { push: number; poll: number }[] = [];
    for (let round = 0; round < LEASE_ROUNDS; round += 1) {
      rounds.push(await leaseLatencyRound(lab, core, virsh));
      console.log(`lease round ${round + 1}: core push ${rounds.at(-1)!.push.toFixed(1)} ms, virsh poll ${rounds.at(-1)!.poll.toFixed(1)} ms after the grant`);
    }
    console.log('');
    printTable([
      {
        what: `lease granted → subscriber holds it (median of ${LEASE_ROUNDS})`,
        ours: median(rounds.map((r) => r.push)),
        baseline: median(rounds.map((r) => r.poll)),
        baselineName: 'polling virsh net-dhcp-leases back to back',
      },
      timeLoadAndSort(),
    ]);
    console.log('\nThe grant time is the mtime of libvirt\'s BRIDGE.status, which its lease helper rewrites when dnsmasq grants or renews.');
  } finally {
    core.stop();
    if (!running) await stopLab();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
