// The served UI in Chromium against the lab: its networks, both guests and a real lease, and the
// banner and recovery when libvirtd goes away and comes back.
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import { readLabInfo, startLibvirtd, stopLibvirtd, waitForLease, type LabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

let lab: LabInfo;

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
});

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false });
}

test('shows the lab’s networks, both guests and a real lease', async ({ page, serve }) => {
  const guest = lab.guests.find((g) => g.network === 'default')!;
  const leaseIp = await waitForLease(lab, guest.mac, 90_000);
  const virshLeases = await runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, 'net-dhcp-leases', 'default']);
  expect(virshLeases).toContain(leaseIp);

  await page.goto(serve.url);
  for (const network of lab.networks) await expect(page.getByTestId(`network-row-${network.name}`)).toBeVisible();
  await shoot(page, '01-networks');

  await page.getByTestId('network-row-default').click();
  const details = page.getByTestId('network-details');
  await expect(details).toContainText('virbr0');
  await expect(details).toContainText('192.168.122.1');
  await expect(details).toContainText(guest.name);
  await shoot(page, '02-network-details');

  await page.getByTestId('tab-vms').click();
  for (const g of lab.guests) {
    const row = page.getByTestId(`vm-row-${g.name}`);
    await expect(row).toContainText(/running/i);
    await expect(row).toContainText(g.mac);
  }
  await shoot(page, '03-vms');

  await page.getByTestId('tab-leases').click();
  const leaseRow = page.getByTestId(`lease-row-${leaseIp}`);
  await expect(leaseRow).toContainText(guest.mac);
  await expect(leaseRow).toContainText(guest.name);
  await shoot(page, '04-leases');

  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('tab-networks').click();
  await page.getByTestId('network-row-lab-isolated').click();
  await expect(page.getByTestId('network-details')).toContainText('10.77.0.1');
  await shoot(page, '05-dark-isolated');
});

test('says when libvirtd is down and recovers by itself when it returns', async ({ page, serve }) => {
  await page.goto(serve.url);
  await expect(page.getByTestId('network-row-default')).toBeVisible();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);

  await stopLibvirtd(lab);
  try {
    const banner = page.getByTestId('connection-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(lab.uri);
    await shoot(page, '06-libvirt-down');
  } finally {
    await startLibvirtd(lab);
  }
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('network-row-default')).toBeVisible();
  await page.getByTestId('tab-vms').click();
  for (const g of lab.guests) await expect(page.getByTestId(`vm-row-${g.name}`)).toContainText(/running/i);
  await shoot(page, '07-libvirt-back');
});
