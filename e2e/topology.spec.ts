// The topology diagram in Chromium against the lab: it draws the lab's uplink, bridges (libvirt's
// and others), taps and both guests with their lease IPs, and follows a new link live without
// losing the user's zoom or selection; dragging a guest onto the other network hot-plugs a NIC
// that virsh and the lab's kernel both see, dragging its edge moves it, detaching removes it; the
// VM's details panel does the same with a chosen model and MAC; a QEMU started without libvirt
// shows up by its name, found through /proc fdinfo.
import type { Locator, Page } from '@playwright/test';
import { localCommandRunner, runChecked, startProgram } from '../electron/host/command-runner';
import { labCommandRunner, readLabInfo, waitForLease, type LabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

let lab: LabInfo;

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
});

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const labRun = (program: string, ...args: string[]) => runChecked(labCommandRunner(lab), program, args);

/** Cleanup after a failed test: the NIC leaves the guest's definition and, at the reset, the guest. */
async function removeNic(guest: string, mac: string) {
  await virsh('detach-interface', guest, 'network', '--mac', mac, '--config').catch(() => undefined);
  await virsh('detach-interface', guest, 'network', '--mac', mac, '--live').catch(() => undefined);
  await virsh('reset', guest).catch(() => undefined);
}

/** Names of the links enslaved to `bridge` in the lab's kernel. */
async function bridgePorts(bridge: string): Promise<string[]> {
  const links = JSON.parse(await labRun('ip', '-json', 'link', 'show', 'master', bridge)) as { ifname: string }[];
  return links.map((link) => link.ifname);
}

async function openTopology(page: Page, url: string) {
  await page.goto(url);
  await page.getByTestId('tab-topology').click();
  await expect(page.getByTestId('topology-diagram')).toBeVisible();
}

/** Drags from a point by the mouse onto the centre of `target`, in small steps as a hand would. */
async function dragFrom(page: Page, from: { x: number; y: number }, target: Locator) {
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 8, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
  await page.mouse.up();
}

/** Drags `source` by its title bar onto the centre of `target`. */
async function dragOnto(page: Page, source: Locator, target: Locator) {
  const from = (await source.boundingBox())!;
  await dragFrom(page, { x: from.x + from.width / 2, y: from.y + 12 }, target);
}

/** Runs `program` in the lab, ignoring failure: cleanup of links a failed test may not have made. */
const labCleanup = (program: string, ...args: string[]) => labRun(program, ...args).catch(() => undefined);

/**
 * An uplink carrying the lab's default route (a veth: the lab has no hardware NIC) and a bridge
 * libvirt does not own with a veth port, as a host with docker0 or a hand-made br0 has them.
 */
async function addHostLinks() {
  await labRun('ip', 'link', 'add', 'syup0', 'type', 'veth', 'peer', 'name', 'syup1');
  await labRun('ip', 'addr', 'add', '198.51.100.2/24', 'dev', 'syup0');
  await labRun('ip', 'link', 'set', 'syup1', 'up');
  await labRun('ip', 'link', 'set', 'syup0', 'up');
  await labRun('ip', 'route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'syup0');
  await labRun('ip', 'link', 'add', 'br-sy', 'type', 'bridge');
  await labRun('ip', 'link', 'add', 'syport0', 'type', 'veth', 'peer', 'name', 'syport1');
  await labRun('ip', 'link', 'set', 'syport0', 'master', 'br-sy', 'up');
  await labRun('ip', 'link', 'set', 'br-sy', 'up');
}

async function removeHostLinks() {
  // Deleting one end of a veth removes its peer; the default route goes with its link.
  for (const link of ['syup0', 'syport0', 'br-sy', 'sylive0']) await labCleanup('ip', 'link', 'del', link);
}

/** Whether the element lies wholly within the diagram's pane. */
async function insideDiagram(page: Page, testId: string): Promise<boolean> {
  const pane = await page.getByTestId('topology-diagram').boundingBox();
  const box = await page.getByTestId(testId).boundingBox();
  if (!pane || !box) return false;
  return box.x >= pane.x && box.y >= pane.y && box.x + box.width <= pane.x + pane.width && box.y + box.height <= pane.y + pane.height;
}

const viewportTransform = (page: Page) => page.locator('.react-flow__viewport').evaluate((element) => (element as HTMLElement).style.transform);

test('draws the lab’s uplink, bridges, taps and both guests with their lease IPs, live', async ({ page, serve }) => {
  const leaseIps = await Promise.all(lab.guests.map((guest) => waitForLease(lab, guest.mac, 90_000)));
  await removeHostLinks();
  try {
    await addHostLinks();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await openTopology(page, serve.url);
    for (const network of lab.networks) {
      const node = page.getByTestId(`topology-node-network-${network.name}`);
      await expect(node).toBeVisible();
      await expect(node).toContainText(network.bridge);
      for (const port of await bridgePorts(network.bridge)) await expect(page.getByTestId(`topology-node-port-${port}`)).toBeVisible();
    }
    await expect(page.getByTestId('topology-node-network-default')).toContainText(/nat/i);
    await expect(page.getByTestId('topology-node-network-lab-isolated')).toContainText('DHCP 10.77.0.100 – 10.77.0.200');
    // The default route's link, and the NAT network's badge on the edge towards it.
    await expect(page.getByTestId('topology-node-uplink-syup0')).toContainText('default route');
    await expect(page.getByTestId('topology-node-uplink-syup0')).toContainText('198.51.100.2/24');
    await expect(page.getByTestId('rf__edge-uplink:syup0->network:default')).toContainText('NAT');
    // The bridge libvirt does not own, dimmed, with its veth port.
    const foreign = page.getByTestId('topology-node-bridge-br-sy');
    await expect(foreign).toContainText('not libvirt');
    await expect(foreign).toHaveCSS('opacity', '0.7');
    await expect(page.getByTestId('topology-node-port-syport0')).toContainText('veth');
    for (const [index, guest] of lab.guests.entries()) {
      const node = page.getByTestId(`topology-node-vm-${guest.name}`);
      await expect(node).toContainText(guest.mac);
      await expect(node).toContainText(`${leaseIps[index]!} (lease)`);
      await expect(node).toContainText(/running/i);
    }
    await page.getByTestId('topology-node-network-default').click();
    const details = page.getByTestId('topology-details');
    await expect(details).toContainText('masquerade rule in effect');
    await expect(details).toContainText(/dnsmasq\s*pid \d+/);
    await expect(details).toContainText('/var/lib/libvirt/dnsmasq/default.conf');
    await expect(details).toContainText(/IP forwarding\s*(on|off)/);
    // The panel narrowed the diagram, which was refitted: nothing is cut off at its edge.
    await expect.poll(() => insideDiagram(page, `topology-node-vm-${lab.guests[0]!.name}`)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-1920-light.png` });
    await page.getByTestId('theme-toggle').click();
    // Away from the toggle, whose tooltip would cover the header; then let the colours settle.
    await page.mouse.move(10, 10);
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-1920-dark.png` });

    // A link appearing redraws the diagram at once, keeping the user's zoom and selection.
    await page.getByRole('button', { name: /zoom out/i }).click();
    await page.waitForTimeout(500);
    const zoomed = await viewportTransform(page);
    await labRun('ip', 'tuntap', 'add', 'dev', 'sylive0', 'mode', 'tap');
    await labRun('ip', 'link', 'set', 'sylive0', 'master', 'br-sy');
    await expect(page.getByTestId('topology-node-port-sylive0')).toBeVisible({ timeout: 3000 });
    expect(await viewportTransform(page)).toBe(zoomed);
    await expect(details).toContainText('masquerade rule in effect');

    // Narrow windows show the details as a drawer over the diagram: Escape or its close button closes it.
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(page.getByRole('presentation').getByTestId('topology-details')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(details).toHaveCount(0);
    // The user zoomed, so the diagram kept its zoom through the resize until they fit it again.
    await page.getByRole('button', { name: /fit view/i }).click();
    await page.getByTestId(`topology-node-vm-${lab.guests[0]!.name}`).click();
    await expect(details).toContainText(lab.guests[0]!.mac);
    await page.getByTestId('topology-details-close').click();
    await expect(details).toHaveCount(0);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-1024-dark.png` });
    await page.getByTestId('theme-toggle').click();
    // Away from the toggle, whose tooltip would cover the header; then let the colours settle.
    await page.mouse.move(10, 10);
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-1024-light.png` });
  } finally {
    await removeHostLinks();
  }
});

test('dragging a guest onto the other network adds a NIC; detaching removes it', async ({ page, serve }) => {
  const guest = lab.guests.find((g) => g.network === 'default')!;
  const other = lab.networks.find((n) => n.name !== guest.network)!;
  const before = await virsh('domiflist', guest.name);
  let addedMac: string | undefined;
  try {
    await openTopology(page, serve.url);
    const vmNode = page.getByTestId(`topology-node-vm-${guest.name}`);
    await expect(vmNode).toBeVisible();
    await dragOnto(page, vmNode, page.getByTestId(`topology-node-network-${other.name}`));
    const dialog = page.getByTestId('attach-nic-dialog');
    await expect(dialog).toContainText(guest.name);
    await expect(page.getByTestId('attach-nic-network')).toHaveValue(other.name);
    await page.getByTestId('attach-nic-submit').click();
    await expect(dialog).toHaveCount(0);

    const after = await virsh('domiflist', guest.name);
    const added = after.split('\n').find((line) => line.includes(other.name) && !before.includes(line.trim()));
    expect(added, `domiflist after the drag:\n${after}`).toBeTruthy();
    const [tap, , , , mac] = added!.trim().split(/\s+/);
    addedMac = mac;
    // Hot-plugged and persistent: the stored definition has it too.
    expect(await virsh('domiflist', '--inactive', guest.name)).toContain(mac!);
    expect(await bridgePorts(other.bridge)).toContain(tap);
    await expect(page.getByTestId(`topology-node-port-${tap}`)).toBeVisible();
    await expect(vmNode).toContainText(mac!);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-nic-added.png` });

    // Dragging the NIC's edge from its tap onto the guest's first network moves it there.
    const home = lab.networks.find((n) => n.name === guest.network)!;
    const port = (await page.getByTestId(`topology-node-port-${tap}`).boundingBox())!;
    await dragFrom(page, { x: port.x + port.width + 4, y: port.y + port.height / 2 }, page.getByTestId(`topology-node-network-${home.name}`));
    await expect(page.getByTestId('confirm-nic-dialog')).toContainText(`joins network "${home.name}"`);
    await page.getByTestId('confirm-nic-submit').click();
    await expect(page.getByTestId('confirm-nic-dialog')).toHaveCount(0);
    const moved = (await virsh('domiflist', guest.name)).split('\n').find((line) => line.includes(mac!));
    expect(moved).toContain(home.name);
    expect((await virsh('domiflist', '--inactive', guest.name)).split('\n').find((line) => line.includes(mac!))).toContain(home.name);
    await expect.poll(() => bridgePorts(home.bridge)).toContain(tap);
    await expect(page.getByTestId(`rf__edge-network:${home.name}->port:${tap}`)).toHaveCount(1);

    await vmNode.click({ button: 'right' });
    await page.getByTestId(`menu-detach-${mac}`).click();
    await expect(page.getByTestId('confirm-nic-dialog')).toContainText('is running');
    await page.getByTestId('confirm-nic-submit').click();
    await expect(page.getByTestId('confirm-nic-dialog')).toHaveCount(0);
    expect(await virsh('domiflist', '--inactive', guest.name)).not.toContain(mac!);
    // The lab's guests run only firmware, which never acknowledges a PCI unplug: Switchyard says
    // so, and the NIC goes when the guest resets (as it would when a guest OS acknowledged it).
    await expect(page.getByTestId('nic-notice')).toContainText('has not released');
    await virsh('reset', guest.name);
    await expect(vmNode).not.toContainText(mac!);
    expect(await virsh('domiflist', guest.name)).not.toContain(mac!);
    await expect.poll(() => bridgePorts(home.bridge)).not.toContain(tap);
    await expect(page.getByTestId(`topology-node-port-${tap}`)).toHaveCount(0);
    addedMac = undefined;
  } finally {
    if (addedMac) await removeNic(guest.name, addedMac);
  }
});

test('the VM’s details panel adds a NIC with a chosen model and MAC, and detaches it', async ({ page, serve }) => {
  const guest = lab.guests.find((g) => g.network === 'lab-isolated')!;
  const target = lab.networks.find((n) => n.name !== guest.network)!;
  const taken = lab.guests.find((g) => g !== guest)!.mac;
  const mac = '52:54:00:5a:0f:01';
  let added = false;
  try {
    await openTopology(page, serve.url);
    await page.getByTestId(`topology-node-vm-${guest.name}`).click();
    const details = page.getByTestId('topology-details');
    await details.getByTestId('details-add-nic').click();
    const dialog = page.getByTestId('attach-nic-dialog');
    await dialog.getByRole('combobox', { name: 'Network' }).click();
    await page.getByRole('option', { name: target.name }).click();
    await dialog.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'e1000e' }).click();
    await dialog.getByLabel('Custom MAC').check();
    // Another VM's MAC is refused as it is typed.
    await page.getByTestId('attach-nic-mac').fill(taken);
    await expect(dialog).toContainText(`already used by a NIC of VM "${lab.guests.find((g) => g !== guest)!.name}"`);
    await expect(page.getByTestId('attach-nic-submit')).toBeDisabled();
    await page.getByTestId('attach-nic-mac').fill(mac.toUpperCase());
    await page.getByTestId('attach-nic-submit').click();
    await expect(dialog).toHaveCount(0);
    added = true;

    for (const list of [await virsh('domiflist', guest.name), await virsh('domiflist', '--inactive', guest.name)]) {
      expect(list.split('\n').find((line) => line.includes(mac))).toMatch(new RegExp(`network\\s+${target.name}\\s+e1000e\\s+${mac}`));
    }
    await expect(details.getByTestId(`details-nic-${mac}`)).toContainText('e1000e');

    await details.getByTestId(`details-detach-${mac}`).click();
    await expect(page.getByTestId('confirm-nic-dialog')).toContainText('is running');
    await page.getByTestId('confirm-nic-submit').click();
    await expect(page.getByTestId('confirm-nic-dialog')).toHaveCount(0);
    expect(await virsh('domiflist', '--inactive', guest.name)).not.toContain(mac);
    await virsh('reset', guest.name);
    await expect(details.getByTestId(`details-nic-${mac}`)).toHaveCount(0);
    added = false;
  } finally {
    if (added) await removeNic(guest.name, mac);
  }
});

test('a QEMU started without libvirt shows up by its name', async ({ page, serve }) => {
  const bridge = lab.networks.find((n) => n.name === 'lab-isolated')!.bridge;
  const tap = 'sytap0';
  await labRun('ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
  // -S keeps the guest's CPU stopped: the tap is open, and the lab's two cores stay free.
  const qemu = startProgram(
    labCommandRunner(lab).argv('qemu-system-x86_64', [
      '-machine', 'pc', '-m', '32', '-S', '-display', 'none', '-nodefaults',
      '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
      '-device', 'virtio-net-pci,netdev=n0', '-name', 'rogue-vm',
    ]),
    { quiet: true },
  );
  try {
    await labRun('ip', 'link', 'set', tap, 'master', bridge, 'up');
    await openTopology(page, serve.url);
    const rogue = page.getByTestId('topology-node-process-rogue-vm');
    await expect(rogue).toBeVisible();
    // The guest name from -name, the program from /proc/PID/comm, the pid whose fdinfo named the tap.
    await expect(rogue).toContainText('rogue-vm');
    await expect(rogue).toContainText(`qemu-system-x86 · pid ${qemu.pid}`);
    await expect(page.getByTestId(`rf__edge-port:${tap}->process:${qemu.pid}`)).toHaveCount(1);
    await expect(page.getByTestId(`topology-node-port-${tap}`)).toBeVisible();
    await rogue.click();
    await expect(page.getByTestId('topology-details')).toContainText(tap);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-rogue-qemu.png` });
  } finally {
    const exited = new Promise((resolve) => qemu.once('exit', resolve));
    qemu.kill('SIGKILL');
    await exited;
    await labRun('ip', 'link', 'del', tap).catch(() => undefined);
  }
  await expect(page.getByTestId('topology-node-process-rogue-vm')).toHaveCount(0);
});
