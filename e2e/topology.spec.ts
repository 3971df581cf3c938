// The topology diagram in Chromium against the lab: it draws the lab's bridges, taps and both
// guests with their lease IPs; dragging a guest onto the other network hot-plugs a NIC that
// virsh and the lab's kernel both see, and detaching removes it again; a QEMU started without
// libvirt shows up by its name, found through /proc fdinfo.
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

/** Drags `source` by the mouse onto the centre of `target`, in small steps as a hand would. */
async function dragOnto(page: Page, source: Locator, target: Locator) {
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + 12);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + 20, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
  await page.mouse.up();
}

test('draws the lab’s bridges, taps and both guests with their lease IPs', async ({ page, serve }) => {
  const leaseIps = await Promise.all(lab.guests.map((guest) => waitForLease(lab, guest.mac, 90_000)));
  await page.setViewportSize({ width: 1400, height: 900 });
  await openTopology(page, serve.url);
  for (const network of lab.networks) {
    const node = page.getByTestId(`topology-node-network-${network.name}`);
    await expect(node).toBeVisible();
    await expect(node).toContainText(network.bridge);
    for (const port of await bridgePorts(network.bridge)) await expect(page.getByTestId(`topology-node-port-${port}`)).toBeVisible();
  }
  await expect(page.getByTestId('topology-node-network-default')).toContainText(/nat/i);
  for (const [index, guest] of lab.guests.entries()) {
    const node = page.getByTestId(`topology-node-vm-${guest.name}`);
    await expect(node).toContainText(guest.mac);
    await expect(node).toContainText(leaseIps[index]!);
    await expect(node).toContainText(/running/i);
  }
  await page.getByTestId(`topology-node-network-default`).click();
  await expect(page.getByTestId('topology-details')).toContainText('masquerade rule in effect');
  await expect(page.getByTestId('topology-details')).toContainText(/dnsmasq|pid \d+/);
  await page.screenshot({ path: `${SCREENSHOTS}/topology-1400-light.png` });

  await page.getByTestId('theme-toggle').click();
  await page.screenshot({ path: `${SCREENSHOTS}/topology-1400-dark.png` });
  await page.setViewportSize({ width: 1024, height: 700 });
  // Narrow windows show the details as a drawer over the diagram: close it, then fit.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('topology-details')).toHaveCount(0);
  await page.getByRole('button', { name: /fit view/i }).click();
  await page.screenshot({ path: `${SCREENSHOTS}/topology-1024-dark.png` });
  await page.getByTestId('theme-toggle').click();
  await page.screenshot({ path: `${SCREENSHOTS}/topology-1024-light.png` });
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
    expect(await bridgePorts(other.bridge)).toContain(tap);
    await expect(page.getByTestId(`topology-node-port-${tap}`)).toBeVisible();
    await expect(vmNode).toContainText(mac!);
    await page.screenshot({ path: `${SCREENSHOTS}/topology-nic-added.png` });

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
    await expect.poll(() => bridgePorts(other.bridge)).not.toContain(tap);
    await expect(page.getByTestId(`topology-node-port-${tap}`)).toHaveCount(0);
    addedMac = undefined;
  } finally {
    if (addedMac) {
      await virsh('detach-interface', guest.name, 'network', '--mac', addedMac, '--config').catch(() => undefined);
      await virsh('detach-interface', guest.name, 'network', '--mac', addedMac, '--live').catch(() => undefined);
      await virsh('reset', guest.name).catch(() => undefined);
    }
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
    await expect(rogue).toContainText(`pid ${qemu.pid}`);
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
