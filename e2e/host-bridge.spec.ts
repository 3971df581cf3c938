// The host bridge wizard in Chromium against the lab: a veth pair stands in for the physical NIC
// (one end in the lab's namespace, the other in a LAN namespace made here, with the gateway).
// Create a bridge through the UI and keep it; remove it the same way; then create one and let the
// countdown run out, and compare `ip -json` before and after. Only the lab's and this file's
// namespaces are touched, and both are cleaned up even when a test fails.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked, startProgram, type CommandRunner } from '../electron/host/command-runner';
import { labHostRoot } from '../electron/core/lab-home';
import { labCommandRunner, readLabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

const LAN_NS = `sy-e2e-lan-${process.pid}`;
const NIC = 'sy-nic0';
const PEER = 'sy-lan0';
const BRIDGE = 'br-e2e';
const host = localCommandRunner();
let lab: CommandRunner;
let lanHolder: ChildProcess;
let persistRoot: string;
let labUri: string;
const NETWORK = `host-${BRIDGE}`;

const inLab = (...args: string[]) => runChecked(lab, 'ip', args);
const virsh = (...args: string[]) => runChecked(host, 'virsh', ['--connect', labUri, ...args]);

/** The lab's NIC as `ip -json` prints it, with the whole main routing table of both families. */
async function kernelState() {
  const read = async (...args: string[]) => JSON.parse(await inLab('-json', ...args)) as unknown;
  return { nic: await read('address', 'show', 'dev', NIC), routes4: await read('-4', 'route', 'show'), routes6: await read('-6', 'route', 'show') };
}

async function link(name: string): Promise<{ master?: string; addr_info: { local: string }[] } | undefined> {
  const links = JSON.parse(await inLab('-json', 'address', 'show')) as { ifname: string; master?: string; addr_info: { local: string }[] }[];
  return links.find((entry) => entry.ifname === name);
}

test.beforeAll(async () => {
  const info = await readLabInfo();
  if (!info) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = labCommandRunner(info);
  labUri = info.uri;
  persistRoot = labHostRoot();
  await fs.rm(persistRoot, { recursive: true, force: true });
  await runChecked(host, 'ip', ['netns', 'add', LAN_NS]);
  lanHolder = startProgram(['ip', 'netns', 'exec', LAN_NS, 'sleep', 'infinity'], { quiet: true });
  await inLab('link', 'add', NIC, 'type', 'veth', 'peer', 'name', PEER);
  // Pids are shared with the lab, so the holder's pid names the LAN namespace from inside it.
  await inLab('link', 'set', PEER, 'netns', String(lanHolder.pid));
  await runChecked(host, 'ip', ['-n', LAN_NS, 'address', 'add', '192.168.88.1/24', 'dev', PEER]);
  await runChecked(host, 'ip', ['-n', LAN_NS, 'link', 'set', PEER, 'up']);
  await inLab('address', 'add', '192.168.88.10/24', 'broadcast', '192.168.88.255', 'dev', NIC);
  await inLab('link', 'set', NIC, 'up');
  await inLab('route', 'add', 'default', 'via', '192.168.88.1', 'dev', NIC, 'metric', '100', 'proto', 'dhcp');
  // Wait out IPv6 duplicate address detection, so "before" is settled state.
  while (JSON.stringify(await kernelState()).includes('tentative')) await new Promise((resolve) => setTimeout(resolve, 200));
});

test.afterAll(async () => {
  if (lab) {
    await virsh('net-destroy', NETWORK).catch(() => undefined);
    await virsh('net-undefine', NETWORK).catch(() => undefined);
    await inLab('link', 'delete', BRIDGE).catch(() => undefined);
    await inLab('link', 'delete', NIC).catch(() => undefined);
  }
  lanHolder?.kill();
  await runChecked(host, 'ip', ['netns', 'delete', LAN_NS]).catch(() => undefined);
  if (persistRoot) await fs.rm(persistRoot, { recursive: true, force: true });
});

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false });
}

async function reviewCreation(page: Page, seconds: number) {
  await page.getByTestId('host-bridge-open').click();
  const candidate = page.getByTestId(`hb-candidate-${NIC}`);
  await expect(candidate).toContainText('default route');
  await candidate.getByRole('radio').check();
  await page.getByTestId('hb-next').click();
  await page.getByTestId('hb-bridge-name').fill(BRIDGE);
  await page.getByTestId('hb-countdown-seconds').fill(String(seconds));
  await page.getByTestId('hb-next').click();
  await expect(page.getByTestId('hb-review-commands')).toContainText(`ip link add name ${BRIDGE}`);
}

test('creates a host bridge from the NIC, keeps it after the gateway answers, persists it, and removes it again', async ({ page, serve }) => {
  const before = await kernelState();
  await page.goto(serve.url);
  await reviewCreation(page, 60);
  const commands = page.getByTestId('hb-review-commands');
  await expect(commands).toContainText(`ip link set dev ${NIC} master ${BRIDGE}`);
  await expect(commands).toContainText(`ip address add 192.168.88.10/24 broadcast 192.168.88.255 dev ${BRIDGE}`);
  await expect(commands).toContainText(`ip -4 route add default via 192.168.88.1 dev ${BRIDGE} metric 100 proto dhcp`);
  await expect(page.getByTestId('hb-review-file').first()).toContainText('/etc/systemd/network/05-switchyard-br-e2e.netdev');
  await shoot(page, '20-host-bridge-review');

  await page.getByTestId('hb-apply').click();
  await expect(page.getByTestId('hb-countdown')).toContainText('Rolling back in');
  await expect(page.getByTestId('hb-gateway-status')).toContainText(`192.168.88.1 answered through ${BRIDGE}`);
  await shoot(page, '21-host-bridge-countdown');

  // The lab's kernel: NIC enslaved, address on the bridge, default route via the bridge.
  expect((await link(NIC))?.master).toBe(BRIDGE);
  expect((await link(BRIDGE))?.addr_info.map((a) => a.local)).toContain('192.168.88.10');
  expect(JSON.parse(await inLab('-json', '-4', 'route', 'show', 'default'))).toEqual([
    expect.objectContaining({ gateway: '192.168.88.1', dev: BRIDGE, metric: 100, protocol: 'dhcp' }),
  ]);
  await runChecked(lab, 'ping', ['-c', '1', '-W', '1', '192.168.88.1']);

  await page.getByTestId('hb-confirm').click();
  await expect(page.getByTestId('hb-result')).toContainText('Kept');
  await page.getByTestId('hb-persist').click();
  await expect(page.getByTestId('hb-persisted')).toContainText('06-switchyard-br-e2e.network');
  const header = '# Written by Switchyard (host bridge wizard). Remove the bridge in Switchyard to remove this file.\n\n';
  const network = path.join(persistRoot, 'etc/systemd/network');
  const mac = (JSON.parse(await inLab('-json', 'link', 'show', 'dev', NIC)) as { address: string }[])[0]!.address;
  expect(await fs.readFile(path.join(network, '05-switchyard-br-e2e.netdev'), 'utf8')).toBe(
    `${header}[NetDev]\nName=${BRIDGE}\nKind=bridge\nMACAddress=${mac}\n\n[Bridge]\nSTP=no\n`,
  );
  expect(await fs.readFile(path.join(network, `05-switchyard-br-e2e-port-${NIC}.network`), 'utf8')).toBe(
    `${header}[Match]\nName=${NIC}\n\n[Network]\nBridge=${BRIDGE}\n`,
  );
  expect(await fs.readFile(path.join(network, '06-switchyard-br-e2e.network'), 'utf8')).toBe(
    `${header}[Match]\nName=${BRIDGE}\n\n[Network]\nAddress=192.168.88.10/24\n\n[Route]\nGateway=192.168.88.1\nMetric=100\n`,
  );
  await shoot(page, '22-host-bridge-kept');

  // Then the libvirt network that lets VMs use the bridge, offered in the same place.
  await expect(page.getByTestId('hb-network-name')).toHaveValue(NETWORK);
  await page.getByTestId('hb-network-name').fill('default');
  await expect(page.getByTestId('hb-network-create')).toBeDisabled();
  await page.getByTestId('hb-network-name').fill(NETWORK);
  await page.getByTestId('hb-network-create').click();
  await expect(page.getByTestId('hb-network-created')).toContainText(`Network ${NETWORK} is running`);
  const networkXml = await virsh('net-dumpxml', NETWORK);
  expect(networkXml).toContain("<forward mode='bridge'/>");
  expect(networkXml).toContain(`<bridge name='${BRIDGE}'/>`);
  expect(await virsh('net-info', NETWORK)).toMatch(/Active:\s+yes[\s\S]*Autostart:\s+yes/);
  await shoot(page, '22b-host-bridge-network-created');
  await page.getByTestId('hb-close').click();

  // Remove it the same safe way: the NIC gets its addressing back.
  await page.getByTestId('host-bridge-open').click();
  await page.getByTestId('hb-mode-remove').click();
  await page.getByTestId(`hb-bridge-${BRIDGE}`).getByRole('radio').check();
  await page.getByTestId('hb-next').click();
  await expect(page.getByTestId('hb-review-commands')).toContainText(`ip link delete dev ${BRIDGE} type bridge`);
  await expect(page.getByTestId('hb-review')).toContainText(`libvirt network ${NETWORK} plugs VMs into ${BRIDGE}`);
  await page.getByTestId('hb-apply').click();
  await expect(page.getByTestId('hb-gateway-status')).toContainText(`answered through ${NIC}`);
  await page.getByTestId('hb-confirm').click();
  await expect(page.getByTestId('hb-result')).toContainText('NIC has its addressing back');
  await page.getByTestId('hb-persist').click();
  await expect(page.getByTestId('hb-persisted')).toContainText('Removed');
  expect(await fs.readdir(network)).toEqual([]);
  await shoot(page, '23-host-bridge-removed');
  await virsh('net-destroy', NETWORK);
  await virsh('net-undefine', NETWORK);
  expect(await kernelState()).toEqual(before);
});

test('rolls everything back to the exact previous state when the change is not confirmed', async ({ page, serve }) => {
  const before = await kernelState();
  await page.goto(serve.url);
  await reviewCreation(page, 10);
  await page.getByTestId('hb-apply').click();
  await expect(page.getByTestId('hb-countdown')).toBeVisible();
  expect((await link(NIC))?.master).toBe(BRIDGE);

  await expect(page.getByTestId('hb-result')).toContainText('countdown ran out', { timeout: 20_000 });
  await expect(page.getByTestId('hb-result')).toContainText('back exactly');
  await shoot(page, '24-host-bridge-rolled-back');
  expect(await link(BRIDGE)).toBeUndefined();
  expect(await kernelState()).toEqual(before);
});
