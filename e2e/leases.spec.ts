// Live leases in the served UI against the lab: a new guest's lease row appears without a reload,
// is reserved through the UI (and lands in libvirt's XML and dnsmasq's hostsfile), keeps its
// address across a guest reboot, and the reservation is edited and removed again. Then 10 000
// leases from a dnsmasq lease file: only the rows in view exist, and search, sort, copy and the
// CSV export still work on all of them.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import { startExtraDnsmasq } from '../lab/extra-dnsmasq';
import { defineGuestCopy } from '../lab/guest-copy';
import { labCommandRunner, readLabInfo, type LabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

// A third guest just for this file, so its lease is new (the seeded guests' leases already exist).
// Its MAC is new on every run: dnsmasq keeps a stopped guest's lease for its full hour.
const randomOctet = () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
const GUEST = { name: 'lab-guest-leases', mac: `52:54:00:5b:${randomOctet()}:${randomOctet()}`, network: 'default' };
const HOSTSFILE = '/var/lib/libvirt/dnsmasq/default.hostsfile';

let lab: LabInfo;
const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const labFile = (file: string) => runChecked(labCommandRunner(lab), 'cat', [file]);

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false });
}

/** The guest's lease as libvirt's lease database has it. */
async function statusLease(): Promise<{ ip: string; expiry: number } | undefined> {
  const entries = JSON.parse((await labFile('/var/lib/libvirt/dnsmasq/virbr0.status')) || '[]') as Record<string, unknown>[];
  const entry = entries.find((e) => e['mac-address'] === GUEST.mac);
  return entry ? { ip: String(entry['ip-address']), expiry: Number(entry['expiry-time']) } : undefined;
}

async function removeGuest(): Promise<void> {
  await virsh('destroy', GUEST.name).catch(() => undefined);
  await virsh('undefine', GUEST.name).catch(() => undefined);
  await virsh('net-update', 'default', 'delete', 'ip-dhcp-host', `<host mac='${GUEST.mac}'/>`, '--live', '--config').catch(() => undefined);
}

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
  await removeGuest();
});

test.afterAll(async () => {
  await removeGuest();
});

test('a new lease shows up live, is reserved, survives a reboot and is released again', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByTestId('tab-leases').click();
  const rows = page.locator('[data-testid^="lease-row-"]');
  await expect(rows.first()).toBeVisible();
  await expect(rows.filter({ hasText: GUEST.mac })).toHaveCount(0);

  await defineGuestCopy(lab, lab.guests.find((g) => g.network === GUEST.network)!, GUEST);
  await virsh('start', GUEST.name);
  // No reload: the row arrives through the lease file watch and the snapshot subscription.
  const row = rows.filter({ hasText: GUEST.mac });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row).toContainText(GUEST.name);
  const ip = (await row.getAttribute('data-testid'))!.replace('lease-row-', '');
  expect((await statusLease())?.ip).toBe(ip);
  await expect(row).toContainText('dynamic');
  await shoot(page, '10-lease-table-all-networks');

  await page.getByTestId(`reserve-${ip}`).click();
  const dialog = page.getByTestId('reservation-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('field-mac')).toHaveValue(GUEST.mac);
  await expect(page.getByTestId('field-ip')).toHaveValue(ip);
  await shoot(page, '11-reserve-dialog');
  await page.getByTestId('field-ip').fill('192.168.1.20');
  await expect(dialog).toContainText("outside the network's subnet 192.168.122.0/24");
  await page.getByTestId('host-entry-submit').click();
  await expect(dialog).toBeVisible();
  await shoot(page, '12-reserve-dialog-field-error');
  // Nothing was sent: libvirt has no entry for the MAC.
  expect(await virsh('net-dumpxml', 'default')).not.toContain(GUEST.mac);

  await page.getByTestId('field-ip').fill(ip);
  await page.getByTestId('field-name').fill('leases-guest');
  await page.getByTestId('host-entry-submit').click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId('lease-reserved')).toBeVisible();
  expect(await virsh('net-dumpxml', 'default')).toContain(`<host mac='${GUEST.mac}' name='leases-guest' ip='${ip}'/>`);
  expect(await labFile(HOSTSFILE)).toContain(`${GUEST.mac},${ip},leases-guest`);

  // iPXE asks for an address once per boot: a reset makes it ask again, and dnsmasq must answer
  // with the reserved address.
  const before = (await statusLease())!;
  await virsh('reset', GUEST.name);
  await expect.poll(async () => (await statusLease())?.expiry ?? 0, { timeout: 60_000 }).toBeGreaterThan(before.expiry);
  expect((await statusLease())?.ip).toBe(ip);
  await expect(row.getByTestId('lease-reserved')).toBeVisible();

  // The reserved row edits its reservation in place.
  await row.getByTestId(`edit-reservation-${ip}`).click();
  await expect(page.getByTestId('field-name')).toHaveValue('leases-guest');
  await page.getByTestId('field-name').fill('leases-guest-renamed');
  await page.getByTestId('host-entry-submit').click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => labFile(HOSTSFILE)).toContain(`${GUEST.mac},${ip},leases-guest-renamed`);
  expect(await virsh('net-dumpxml', '--inactive', 'default')).toContain(`<host mac='${GUEST.mac}' name='leases-guest-renamed' ip='${ip}'/>`);

  await page.getByTestId('tab-networks').click();
  await page.getByTestId('network-row-default').click();
  const details = page.getByTestId('network-details');
  const detailsRow = details.getByTestId(`lease-row-${ip}`);
  await expect(detailsRow).toContainText(GUEST.mac);
  await expect(detailsRow.getByTestId('lease-reserved')).toBeVisible();
  await details.getByTestId('lease-table').scrollIntoViewIfNeeded();
  await shoot(page, '13-network-details-leases');

  const reservation = page.getByTestId(`reservation-${ip}`);
  await expect(reservation).toContainText(GUEST.mac);
  await reservation.scrollIntoViewIfNeeded();
  await shoot(page, '14-network-details-reservations');

  await page.getByTestId(`reservation-${ip}-remove`).click();
  await expect(reservation).toHaveCount(0);
  expect(await virsh('net-dumpxml', 'default')).not.toContain(GUEST.mac);
  expect(await labFile(HOSTSFILE)).not.toContain(GUEST.mac);
  await expect(detailsRow).toBeVisible();
  await expect(detailsRow).toContainText('dynamic');
});

const LEASE_COUNT = 10_000;
const bigLeaseIp = (i: number) => `10.89.${(i >> 8) + 1}.${i & 255}`;

test('10 000 leases from a dnsmasq lease file: only the rows in view exist, and search, sort, copy and export work', async ({ page, serve, context }) => {
  // A dnsmasq of the test's own, not libvirt's; the core finds it among the lab's processes.
  const dnsmasq = await startExtraDnsmasq(lab, {
    bridge: 'swy-e2e-dns0',
    address: '10.89.0.1/16',
    range: '10.89.0.10,10.89.250.250,12h',
    directory: '/var/lib/libvirt/switchyard-e2e-leases',
  });
  try {
    // Nobody on its bridge asks for an address, so dnsmasq never rewrites the file written here.
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    const lines = Array.from({ length: LEASE_COUNT }, (_, i) => {
      const mac = `52:54:00:6a:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      return `${expiry + i} ${mac} ${bigLeaseIp(i)} bulk-${i} 01:${mac}\n`;
    });
    writeFileSync(dnsmasq.hostLeaseFile, lines.join(''));

    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(serve.url);
    await page.getByTestId('tab-leases').click();
    // Found at the next reread (every 5 s), then pushed.
    await expect(page.getByTestId('lease-count')).toHaveText(/^100\d\d leases$/, { timeout: 30_000 });
    const rows = page.locator('[data-testid^="lease-row-"]');
    expect(await rows.count()).toBeLessThan(60);

    await page.getByTestId('lease-search').fill('10.89.');
    await expect(page.getByTestId('lease-count')).toHaveText(/^10000 of 100\d\d leases$/);
    const table = page.getByTestId('lease-table');
    await table.evaluate((element) => (element.scrollTop = element.scrollHeight));
    const last = page.getByTestId(`lease-row-${bigLeaseIp(LEASE_COUNT - 1)}`);
    await expect(last).toBeVisible();
    await expect(last).toContainText('dnsmasq on swy-e2e-dns0');
    expect(await rows.count()).toBeLessThan(60);
    await shoot(page, '15-ten-thousand-leases-scrolled');

    await page.getByRole('button', { name: 'IP address' }).click();
    await table.evaluate((element) => (element.scrollTop = 0));
    await expect(rows.first()).toHaveAttribute('data-testid', `lease-row-${bigLeaseIp(LEASE_COUNT - 1)}`);

    const row = page.getByTestId(`lease-row-${bigLeaseIp(LEASE_COUNT - 1)}`);
    await row.hover();
    await row.getByRole('button', { name: `Copy 52:54:00:6a:27:0f` }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('52:54:00:6a:27:0f');

    await page.getByTestId('lease-search').fill('10.89.40.');
    await expect(page.getByTestId('lease-count')).toHaveText(/^16 of 100\d\d leases$/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('network,ip,prefix,mac,hostname,vm,client_id,expires_at,status,kind,source');
    expect(csv.slice(1).map((line) => line.split(',')[1])).toEqual(Array.from({ length: 16 }, (_, i) => `10.89.40.${15 - i}`));

    // A broken write is reported, and the leases last read from the file stay on screen.
    writeFileSync(dnsmasq.hostLeaseFile, `${lines[0]}garbage without a newline`);
    await expect(page.getByTestId('lease-problem')).toContainText(dnsmasq.leaseFile);
    await expect(page.getByTestId('lease-problem')).toContainText('ends in the middle of a line');
    await expect(page.getByTestId('lease-count')).toHaveText(/^16 of 100\d\d leases$/);
    await shoot(page, '16-lease-file-problem');
  } finally {
    await dnsmasq.stop();
  }
});
