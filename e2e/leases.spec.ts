// Live leases in the served UI against the lab: a new guest's lease row appears without a reload,
// is reserved through the UI (and lands in libvirt's XML and dnsmasq's hostsfile), keeps its
// address across a guest reboot, and the reservation is removed again from the network details.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
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

/** Defines the extra guest as a copy of the first lab guest with its own name and MAC. */
async function defineGuest(): Promise<void> {
  const model = lab.guests.find((g) => g.network === GUEST.network)!;
  const xml = (await virsh('dumpxml', '--inactive', model.name))
    .replace(`<name>${model.name}</name>`, `<name>${GUEST.name}</name>`)
    .replace(/\s*<uuid>[^<]*<\/uuid>/, '')
    .replace(model.mac, GUEST.mac);
  const directory = mkdtempSync(path.join(tmpdir(), 'switchyard-e2e-'));
  try {
    writeFileSync(path.join(directory, 'guest.xml'), xml);
    await virsh('define', path.join(directory, 'guest.xml'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('a new lease shows up live, is reserved, survives a reboot and is released again', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByTestId('tab-leases').click();
  const rows = page.locator('[data-testid^="lease-row-"]');
  await expect(rows.first()).toBeVisible();
  await expect(rows.filter({ hasText: GUEST.mac })).toHaveCount(0);

  await defineGuest();
  await virsh('start', GUEST.name);
  // No reload: the row arrives through the lease file watch and the snapshot subscription.
  const row = rows.filter({ hasText: GUEST.mac });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row).toContainText(GUEST.name);
  const ip = (await row.getAttribute('data-testid'))!.replace('lease-row-', '');
  expect((await statusLease())?.ip).toBe(ip);
  await shoot(page, '10-lease-table');

  await page.getByTestId(`reserve-${ip}`).click();
  const dialog = page.getByTestId('reservation-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('field-mac')).toHaveValue(GUEST.mac);
  await page.getByTestId('field-ip').fill('192.168.1.20');
  await expect(dialog).toContainText("outside the network's subnet 192.168.122.0/24");
  await page.getByTestId('host-entry-submit').click();
  await expect(dialog).toBeVisible();
  await shoot(page, '11-reserve-dialog-field-error');

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

  await page.getByTestId('tab-networks').click();
  await page.getByTestId('network-row-default').click();
  const reservation = page.getByTestId(`reservation-${ip}`);
  await expect(reservation).toContainText(GUEST.mac);
  await reservation.scrollIntoViewIfNeeded();
  await shoot(page, '12-network-details-reservations');

  await page.getByTestId(`reservation-${ip}-remove`).click();
  await expect(reservation).toHaveCount(0);
  expect(await virsh('net-dumpxml', 'default')).not.toContain(GUEST.mac);
  expect(await labFile(HOSTSFILE)).not.toContain(GUEST.mac);
  await expect(page.getByTestId('network-details').getByTestId(`lease-row-${ip}`)).toBeVisible();
});
