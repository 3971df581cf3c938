// The topology figures of `npm run bench`:
//  1. Discovering the lab host: the core's whole read (batched virsh, ip, nft/iptables, /proc) against
//     the same facts gathered by the virsh and ip commands a script would run, one process each.
//  2. Laying out and first rendering a generated topology in Chromium (the renderer's own view,
//     bundled here with esbuild and served to the page from memory), against the lab's size.
import { performance } from 'node:perf_hooks';
// @playwright/test re-exports playwright-core's browser API: no further package needed.
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { createCore } from '../electron/core/bootstrap';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import { INVENTORY_LISTS } from '../electron/host/libvirt';
import { labCommandRunner, type LabInfo } from '../lab/lab';
import type { RenderTiming } from './topology-render-page';

export const DISCOVERY_ROUNDS = 5;
const RENDER_ROUNDS = 3;
const BENCH_ORIGIN = 'http://switchyard-bench.invalid';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface DiscoveryTiming {
  core: number;
  perCommand: number;
  commands: number;
}

/**
 * The commands that read what the core's snapshot holds, as a script would run them: libvirt's
 * lists, every network's and VM's XML and state, the leases, then the lab kernel's links,
 * routes, neighbours, NAT rules, forwarding switch, bridge ports and processes.
 */
async function perCommandSequence(lab: LabInfo): Promise<{ virsh: string[][]; host: string[][] }> {
  const names = async (...args: string[]) =>
    (await runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args])).split('\n').map((line) => line.trim()).filter(Boolean);
  const networks = await names('net-list', '--all', '--name');
  const vms = await names('list', '--all', '--name');
  return {
    virsh: [
      ...INVENTORY_LISTS.map((command) => [...command]),
      ...networks.flatMap((network) => [['net-dumpxml', network], ['net-dhcp-leases', network]]),
      ...vms.flatMap((vm) => [['dumpxml', vm], ['domstate', vm]]),
    ],
    host: [
      ['ip', '-json', '-details', 'addr', 'show'],
      ['ip', '-json', '-details', 'link', 'show'],
      ['ip', '-json', 'route', 'show', 'default'],
      ['ip', '-6', '-json', 'route', 'show', 'default'],
      ['ip', '-json', 'neigh', 'show'],
      ['bridge', '-json', 'link', 'show'],
      ['nft', '-j', 'list', 'ruleset'],
      ['iptables-save', '-t', 'nat'],
      ['cat', '/proc/sys/net/ipv4/ip_forward'],
      ['ps', '-eo', 'pid,comm,args'],
    ],
  };
}

export async function measureDiscovery(lab: LabInfo): Promise<DiscoveryTiming> {
  // Not started: no event streams or timers, only the reads being timed.
  const core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid });
  const sequence = await perCommandSequence(lab);
  const inLab = labCommandRunner(lab);
  const coreTimes: number[] = [];
  const sequenceTimes: number[] = [];
  for (let round = 0; round < DISCOVERY_ROUNDS; round += 1) {
    let start = performance.now();
    const snapshot = await core.refresh();
    coreTimes.push(performance.now() - start);
    if (snapshot.connection.state !== 'connected' || !snapshot.hostTopology) throw new Error('The core could not read the lab.');
    start = performance.now();
    for (const command of sequence.virsh) await runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...command]);
    for (const [program, ...args] of sequence.host) await runChecked(inLab, program!, args);
    sequenceTimes.push(performance.now() - start);
  }
  core.stop();
  return { core: median(coreTimes), perCommand: median(sequenceTimes), commands: sequence.virsh.length + sequence.host.length };
}

export interface RenderRow {
  networks: number;
  vms: number;
  timing: RenderTiming;
}

/** Layout and first render of generated topologies of these sizes, median of a few rounds each. */
export async function measureRendering(sizes: readonly { networks: number; vms: number }[]): Promise<RenderRow[]> {
  const bundle = await build({
    entryPoints: ['bench/topology-render-page.tsx'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: 'bench-page',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const files = new Map(bundle.outputFiles.map((file) => [`/${file.path.split('/').pop()}`, file.text]));
  const css = files.has('/topology-render-page.css') ? '<link rel="stylesheet" href="/topology-render-page.css">' : '';
  files.set('/', `<!doctype html><html><head><meta charset="utf-8">${css}</head><body><div id="root"></div><script type="module" src="/topology-render-page.js"></script></body></html>`);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    // The page and its bundle come from memory: nothing is served, nothing leaves the browser.
    await page.route(`${BENCH_ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      const body = files.get(path);
      if (body === undefined) return route.fulfill({ status: 404 });
      const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : 'text/html';
      return route.fulfill({ body, contentType: type });
    });
    await page.goto(`${BENCH_ORIGIN}/`);
    await page.waitForFunction(() => typeof window.renderTopology === 'function');
    const rows: RenderRow[] = [];
    for (const size of sizes) {
      const rounds: RenderTiming[] = [];
      for (let round = 0; round < RENDER_ROUNDS; round += 1) {
        rounds.push(await page.evaluate(({ networks, vms }) => window.renderTopology(networks, vms), size));
      }
      rows.push({
        ...size,
        timing: {
          nodes: rounds[0]!.nodes,
          edges: rounds[0]!.edges,
          layoutMs: median(rounds.map((r) => r.layoutMs)),
          firstRenderMs: median(rounds.map((r) => r.firstRenderMs)),
        },
      });
    }
    return rows;
  } finally {
    await browser.close();
  }
}

/** The rendering figures as report lines, each size beside the smallest one measured in the same run. */
export function renderingReport(rows: readonly RenderRow[]): string[] {
  const [smallest] = rows;
  if (!smallest) return [];
  return [
    `Topology view in Chromium (1920×1080), median of ${RENDER_ROUNDS}: ELK layout alone, and layout + first render (graph, layout, React, fit, paint):`,
    ...rows.map((row) => {
      const { nodes, edges, layoutMs, firstRenderMs } = row.timing;
      const relative = row === smallest ? 'baseline' : `${(firstRenderMs / smallest.timing.firstRenderMs).toFixed(1)}× the baseline`;
      return `  ${row.networks} networks / ${row.vms} VMs (${nodes} nodes, ${edges} edges): layout ${layoutMs.toFixed(0)} ms, layout + first render ${firstRenderMs.toFixed(0)} ms (${relative})`;
    }),
  ];
}
