// Port forwarding for real, in the lab: a guest-side namespace plugged into the default NAT
// network's bridge runs a small TCP responder; a client namespace on a second link of the lab
// host stands for the LAN. A forward added in the UI lets the client (and the lab host itself)
// reach the responder through the host's address; it keeps working across a stop and start of
// the network, and removing it in the UI closes the port again.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked, startProgram, type CommandRunner } from '../electron/host/command-runner';
import { parseNetworkXml } from '../shared/libvirt/network-xml';
import { labSwitchyardStateDirectory } from '../electron/core/lab-home';
import { labCommandRunner, readLabInfo, waitForLease, type LabInfo } from '../lab/lab';
import { TCP_CLIENT_SCRIPT, TCP_RESPONDER_SCRIPT } from '../lab/tcp-probe';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

const suffix = String(process.pid % 100_000);
const GUEST_NS = `syfw-guest-${suffix}`;
const CLIENT_NS = `syfw-lan-${suffix}`;
// Lab-side ends of the two veth pairs (at most 15 characters).
const GUEST_LINK = `syg${suffix}`;
const CLIENT_LINK = `syc${suffix}`;
const GUEST_IP = '192.168.122.250';
const GUEST_PORT = 8000;
const LAN_HOST_IP = '198.51.100.1';
const LAN_CLIENT_IP = '198.51.100.2';
const HOST_PORT = 18080;

let lab: LabInfo;
let inLab: CommandRunner;
let responder: ChildProcess | undefined;

const ip = (...args: string[]) => runChecked(inLab, 'ip', args);
const inNamespace = (namespace: string, ...argv: string[]) => ['netns', 'exec', namespace, ...argv];
const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);

/** Connects from the LAN namespace (or the lab host itself) to the host's forwarded port. */
async function connect(from: 'lan' | 'host'): Promise<string> {
  const argv = [process.execPath, '-e', TCP_CLIENT_SCRIPT, LAN_HOST_IP, String(HOST_PORT)];
  const output = from === 'lan' ? await ip(...inNamespace(CLIENT_NS, ...argv)) : await runChecked(inLab, argv[0]!, argv.slice(1));
  return output.trim();
}

async function removeNamespaces(): Promise<void> {
  for (const namespace of [GUEST_NS, CLIENT_NS]) await inLab.run('ip', ['netns', 'delete', namespace]);
  for (const link of [GUEST_LINK, CLIENT_LINK]) await inLab.run('ip', ['link', 'delete', link]);
}

/** The ports of virbr0 (`ip -json link show master virbr0`). */
async function bridgePorts(): Promise<string[]> {
  return (JSON.parse(await ip('-json', 'link', 'show', 'master', 'virbr0')) as { ifname: string }[]).map((link) => link.ifname);
}

/** Puts ports back on a restarted virbr0: libvirt leaves running guests' taps (and our veth) off it. */
async function plugIntoBridge(ports: readonly string[]): Promise<void> {
  for (const port of ports) await ip('link', 'set', port, 'master', 'virbr0', 'up');
}

async function setUpNamespaces(): Promise<void> {
  await removeNamespaces();
  await ip('netns', 'add', GUEST_NS);
  await ip('netns', 'add', CLIENT_NS);
  await ip('link', 'add', GUEST_LINK, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', GUEST_NS);
  await plugIntoBridge([GUEST_LINK]);
  await ip(...inNamespace(GUEST_NS, 'ip', 'address', 'add', `${GUEST_IP}/24`, 'dev', 'eth0'));
  await ip(...inNamespace(GUEST_NS, 'ip', 'link', 'set', 'eth0', 'up'));
  await ip(...inNamespace(GUEST_NS, 'ip', 'link', 'set', 'lo', 'up'));
  await ip(...inNamespace(GUEST_NS, 'ip', 'route', 'add', 'default', 'via', '192.168.122.1'));
  await ip('link', 'add', CLIENT_LINK, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT_NS);
  await ip('address', 'add', `${LAN_HOST_IP}/24`, 'dev', CLIENT_LINK);
  await ip('link', 'set', CLIENT_LINK, 'up');
  await ip(...inNamespace(CLIENT_NS, 'ip', 'address', 'add', `${LAN_CLIENT_IP}/24`, 'dev', 'eth0'));
  await ip(...inNamespace(CLIENT_NS, 'ip', 'link', 'set', 'eth0', 'up'));
  // nsenter and ip netns exec both exec, so the ChildProcess is node itself.
  responder = startProgram(inLab.argv('ip', inNamespace(GUEST_NS, process.execPath, '-e', TCP_RESPONDER_SCRIPT, String(GUEST_PORT))), { quiet: true });
}

/** The lab guest on the default network, which has a real lease. */
const leasedGuest = () => lab.guests.find((guest) => guest.network === 'default')!;

/** The default network's DHCP reservations, as libvirt's live XML has them. */
async function reservations(): Promise<{ mac?: string; ip: string }[]> {
  const network = parseNetworkXml(await virsh('net-dumpxml', 'default'));
  return network.ips.flatMap((config) => config.dhcpHosts.map(({ mac, ip: address }) => ({ mac, ip: address })));
}

async function removeReservation(mac: string): Promise<void> {
  await virsh('net-update', 'default', 'delete', 'ip-dhcp-host', `<host mac='${mac}'/>`, '--live', '--config').catch(() => undefined);
}

/** Forgets forwards and a reservation a failed earlier run left behind, before the served core reads them. */
async function forgetLeftovers(): Promise<void> {
  rmSync(path.join(labSwitchyardStateDirectory(), 'port-forwards.json'), { force: true });
  await inLab.run('nft', ['delete', 'table', 'ip', 'switchyard']);
  await removeReservation(leasedGuest().mac);
}

/** Opens the default network's details and its add-forward dialog, with both ports filled in. */
async function openAddForward(page: Page, url: string, hostPort: number, guestPort: number) {
  await page.goto(url);
  await page.getByTestId('network-row-default').click();
  const details = page.getByTestId('network-details');
  await details.getByRole('button', { name: 'Add port forward' }).click();
  const dialog = page.getByTestId('port-forward-dialog');
  await dialog.getByLabel('Host port').fill(String(hostPort));
  await dialog.getByLabel('Guest port').fill(String(guestPort));
  return { details, dialog };
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
  inLab = labCommandRunner(lab);
  await forgetLeftovers();
});

test.afterAll(async () => {
  responder?.kill('SIGTERM');
  if (inLab) await removeNamespaces();
});

test('a forwarded host port reaches a guest from the LAN and the host, survives a network restart, and closes when removed', async ({ page, serve }) => {
  await setUpNamespaces();
  // The bridge runs STP: a new port forwards after listening and learning.
  await expect.poll(async () => (await inLab.run('ip', inNamespace(GUEST_NS, 'ping', '-c', '1', '-W', '1', '192.168.122.1'))).code, { timeout: 20_000 }).toBe(0);
  // Before any forward libvirt's rules reject connections into the NAT network.
  expect(await connect('lan')).toMatch(/^ERR (ECONNREFUSED|TIMEOUT)$/);

  const { details, dialog } = await openAddForward(page, serve.url, HOST_PORT, GUEST_PORT);
  await dialog.getByLabel('Description (optional)').fill('guest responder');
  // Picking the lab guest from its lease fills its address and offers to reserve it.
  const leased = lab.guests.find((guest) => guest.network === 'default')!;
  await dialog.getByRole('combobox', { name: 'Guest', exact: true }).click();
  await page.getByRole('option', { name: new RegExp(`^${leased.name} · `) }).click();
  await expect(dialog.getByLabel('Guest address')).toHaveValue(/^192\.168\.122\.\d+$/);
  await expect(dialog.getByLabel(new RegExp(`^Reserve .* for ${leased.name}`))).toBeChecked();
  await shoot(page, 'port-forward-add-dialog');
  await dialog.getByLabel('Guest address').fill('10.9.9.9');
  await expect(dialog.getByText("10.9.9.9 is not inside default's subnet 192.168.122.0/24.")).toBeVisible();
  // The responder's namespace is no libvirt guest: its address is typed.
  await dialog.getByLabel('Guest address').fill(GUEST_IP);
  await dialog.getByRole('button', { name: 'Add forward' }).click();
  await expect(dialog).toBeHidden();
  const row = details.getByTestId(`port-forward-tcp-${HOST_PORT}`);
  await expect(row).toContainText(`${GUEST_IP}:${GUEST_PORT}`);
  await row.scrollIntoViewIfNeeded();
  await shoot(page, 'port-forward-table');

  // From the LAN the guest sees the client's own address; from the host, the host's.
  expect(await connect('lan')).toBe(`hello from guest to ${LAN_CLIENT_IP}`);
  expect(await connect('host')).toBe(`hello from guest to ${LAN_HOST_IP}`);

  // The firewall view shows the forward as the kernel has it, beside libvirt's rules.
  const firewall = details.getByRole('region', { name: 'Firewall rules in effect' });
  await firewall.getByRole('button', { name: 'Read rules' }).click();
  await expect(firewall.getByTestId('firewall-group-forward')).toContainText(
    `Connections to port ${HOST_PORT}/tcp on any of the host’s addresses go to ${GUEST_IP}:${GUEST_PORT}.`,
  );
  await expect(firewall.getByTestId('firewall-group-in')).toContainText(`Switchyard lets forwarded connections to ${GUEST_IP} port ${GUEST_PORT}/tcp in.`);
  await firewall.getByTestId('firewall-group-forward').scrollIntoViewIfNeeded();
  await shoot(page, 'firewall-view-with-forward');

  // The topology diagram marks the network that has forwards.
  await page.getByTestId('tab-topology').click();
  await expect(page.getByTestId('port-forward-badge-default')).toHaveText('⇢ 1');
  await shoot(page, 'topology-port-forward-badge');
  await page.getByTestId('tab-networks').click();

  // The same port twice is refused before anything is applied.
  await details.getByRole('button', { name: 'Add port forward' }).click();
  await dialog.getByLabel('Host port').fill(String(HOST_PORT));
  await dialog.getByLabel('Guest address').fill('192.168.122.251');
  await dialog.getByLabel('Guest port').fill('22');
  await expect(dialog.getByText(`Host port ${HOST_PORT}/tcp already goes to ${GUEST_IP}:${GUEST_PORT} on default.`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Stopping removes the rules with the network; starting brings them back by themselves.
  const ports = await bridgePorts();
  await virsh('net-destroy', 'default');
  await expect.poll(async () => (await inLab.run('nft', ['list', 'table', 'ip', 'switchyard'])).code, { timeout: 20_000 }).not.toBe(0);
  await virsh('net-start', 'default');
  await plugIntoBridge(ports);
  await expect.poll(() => connect('lan'), { timeout: 30_000 }).toBe(`hello from guest to ${LAN_CLIENT_IP}`);

  await row.getByRole('button', { name: /Remove forward/ }).click();
  await expect(row).toBeHidden();
  expect(await connect('lan')).toMatch(/^ERR (ECONNREFUSED|TIMEOUT)$/);
  expect((await inLab.run('nft', ['list', 'table', 'ip', 'switchyard'])).code).not.toBe(0);
  expect(await runChecked(inLab, 'iptables-save', ['-t', 'filter'])).not.toContain('SWITCHYARD_FWD');
});

test("adding a forward to a leased guest with the reserve box checked reserves the guest's address", async ({ page, serve }) => {
  const guest = leasedGuest();
  const leasedIp = await waitForLease(lab, guest.mac, 60_000);
  const hostPort = HOST_PORT + 1;
  try {
    const { details, dialog } = await openAddForward(page, serve.url, hostPort, 22);
    await dialog.getByRole('combobox', { name: 'Guest', exact: true }).click();
    await page.getByRole('option', { name: `${guest.name} · ${leasedIp} (lease)` }).click();
    await expect(dialog.getByLabel('Guest address')).toHaveValue(leasedIp);
    await expect(dialog.getByLabel(`Reserve ${leasedIp} for ${guest.name}, so the forward keeps reaching it after its lease ends`)).toBeChecked();
    await dialog.getByRole('button', { name: 'Add forward' }).click();
    await expect(dialog).toBeHidden();

    const row = details.getByTestId(`port-forward-tcp-${hostPort}`);
    await expect(row).toContainText(`${leasedIp}:22`);
    expect(await reservations()).toContainEqual({ mac: guest.mac, ip: leasedIp });
    // The picker now offers the guest as reserved, with nothing left to reserve.
    await details.getByRole('button', { name: 'Add port forward' }).click();
    await dialog.getByRole('combobox', { name: 'Guest', exact: true }).click();
    await expect(page.getByRole('option', { name: `${guest.name} · ${leasedIp} (reserved)` })).toBeVisible();
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await row.scrollIntoViewIfNeeded();
    await shoot(page, 'port-forward-reserved-guest');

    await row.getByRole('button', { name: /Remove forward/ }).click();
    await expect(row).toBeHidden();
  } finally {
    await removeReservation(guest.mac);
  }
  expect(await reservations()).toEqual([]);
  expect((await inLab.run('nft', ['list', 'table', 'ip', 'switchyard'])).code).not.toBe(0);
});
