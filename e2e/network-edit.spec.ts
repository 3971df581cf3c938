// Editing a network through the served UI against the lab: a DHCP range change reviewed (diff and
// impact) and applied live, a change that needs a restart confirmed with the VMs that lose their
// link, the XML view refusing bad XML with the field and the fix, a restart libvirt refuses that
// leaves the network as it was, stop/start/autostart, and deleting with the attached VMs listed. The network and its two guests (one running, one shut off) are this file's own; the
// network carries a dnsmasq option the form knows nothing of, which every edit must keep.
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import { defineLabGuest, labCommandRunner, readLabInfo, removeLabGuest, TEST_DNSMASQ_OPTION, testNetworkXml, type LabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

const NETWORK = 'swy-edit-e2e';
const BRIDGE = 'virbr-swye2e';
const RUNNING_GUEST = { name: 'swy-edit-running', network: NETWORK, mac: '52:54:00:5e:2e:01' };
const STOPPED_GUEST = { name: 'swy-edit-stopped', network: NETWORK, mac: '52:54:00:5e:2e:02' };
const NETWORK_XML = testNetworkXml(NETWORK, BRIDGE, '10.231.7');

let lab: LabInfo;
const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const inLab = (program: string, ...args: string[]) => runChecked(labCommandRunner(lab), program, args);

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false });
}

/** The bridge the running guest's tap is a port of, as the lab's kernel says. */
async function guestTapMaster(): Promise<string | undefined> {
  const tap = (await virsh('domiflist', RUNNING_GUEST.name)).split('\n').find((line) => line.includes(RUNNING_GUEST.mac))?.trim().split(/\s+/)[0];
  const links = JSON.parse(await inLab('ip', '-json', 'link', 'show')) as { ifname: string; master?: string }[];
  return links.find((link) => link.ifname === tap)?.master;
}

async function removeEverything(): Promise<void> {
  for (const guest of [RUNNING_GUEST, STOPPED_GUEST]) await removeLabGuest(lab, guest.name);
  await virsh('net-destroy', NETWORK).catch(() => undefined);
  await virsh('net-undefine', NETWORK).catch(() => undefined);
}

async function openNetwork(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId(`network-row-${NETWORK}`).click();
  await expect(page.getByTestId('network-actions')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
  await removeEverything();
  const file = `${lab.stateDir}/seed/${NETWORK}.xml`;
  writeFileSync(file, NETWORK_XML);
  await virsh('net-define', file);
  await virsh('net-start', NETWORK);
  await defineLabGuest(lab, RUNNING_GUEST, { start: true });
  await defineLabGuest(lab, STOPPED_GUEST, { start: false });
});

test.afterAll(async () => {
  if (lab) await removeEverything();
});

test('a DHCP range edit shows its diff and impact, and is applied live', async ({ page, serve }) => {
  await openNetwork(page, serve.url);
  await page.getByTestId('network-edit').click();
  const dialog = page.getByTestId('edit-network-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId('field-ips[0].dhcpRanges[0].start').fill('10.231.7.100');
  await page.getByTestId('field-ips[0].dhcpRanges[0].end').fill('10.231.7.199');
  await page.getByTestId('form-ips[0].dhcpRanges[0].start').scrollIntoViewIfNeeded();
  await shoot(page, 'edit-00-form');
  await page.getByTestId('edit-review-button').click();

  await expect(page.getByTestId('edit-plan')).toHaveAttribute('data-plan', 'live');
  await expect(page.getByTestId('edit-live-commands')).toContainText("Add DHCP range <range start='10.231.7.100' end='10.231.7.199'></range>");
  const diff = page.getByTestId('xml-diff');
  // Exactly the range line changed; everything else (the dnsmasq option too) is context.
  await expect(diff.locator('[data-kind="removed"]')).toContainText(['<range start="10.231.7.2" end="10.231.7.254"/>']);
  await expect(diff.locator('[data-kind="added"]')).toContainText(['<range start="10.231.7.100" end="10.231.7.199"/>']);
  await expect(page.getByTestId(`impact-nic-${RUNNING_GUEST.name}`)).toContainText('Keeps its link');
  await expect(page.getByTestId(`impact-nic-${STOPPED_GUEST.name}`)).toContainText('Not running');
  await shoot(page, 'edit-01-review-live');

  const bridgeIndex = async () => (JSON.parse(await inLab('ip', '-json', 'link', 'show', BRIDGE)) as { ifindex: number }[])[0]?.ifindex;
  const indexBefore = await bridgeIndex();
  await page.getByTestId('edit-apply').click();
  await expect(page.getByTestId('edit-applied')).toHaveAttribute('data-applied', 'live');
  expect(await virsh('net-dumpxml', NETWORK)).toContain("<range start='10.231.7.100' end='10.231.7.199'/>");
  expect(await inLab('cat', `/var/lib/libvirt/dnsmasq/${NETWORK}.conf`)).toMatch(/^dhcp-range=10\.231\.7\.100,10\.231\.7\.199/m);
  expect(await virsh('net-dumpxml', '--inactive', NETWORK)).toContain(TEST_DNSMASQ_OPTION);
  // Live: the bridge was not recreated.
  expect(await bridgeIndex()).toBe(indexBefore);
  await page.getByTestId('edit-done').click();
  await expect(dialog).toBeHidden();
});

test('a change that needs a restart names the VMs that lose their link and asks first', async ({ page, serve }) => {
  await openNetwork(page, serve.url);
  await page.getByTestId('network-edit').click();
  await page.getByTestId('field-mtu').fill('1400');
  await page.getByTestId('edit-review-button').click();
  await expect(page.getByTestId('edit-plan')).toHaveAttribute('data-plan', 'restart');
  await expect(page.getByTestId('edit-restart-reasons')).toContainText('the MTU changed');
  await expect(page.getByTestId('edit-plan')).toContainText(`${RUNNING_GUEST.name} loses connectivity for a moment`);
  await shoot(page, 'edit-02-review-restart');

  await page.getByTestId('edit-apply').click();
  const confirm = page.getByTestId('restart-confirm');
  await expect(confirm.getByTestId('restart-cut-off')).toHaveText(`${RUNNING_GUEST.name} briefly loses connectivity:`);
  await expect(confirm.getByTestId(`impact-nic-${RUNNING_GUEST.name}`)).toContainText('Loses connectivity for a moment');
  await expect(confirm.getByTestId(`impact-nic-${STOPPED_GUEST.name}`)).toContainText('Not running; unaffected.');
  // Nothing is applied before the restart is confirmed.
  expect(await virsh('net-dumpxml', '--inactive', NETWORK)).not.toContain("<mtu size='1400'/>");
  await shoot(page, 'edit-03-restart-confirm');

  await page.getByTestId('restart-confirm-confirm').click();
  await expect(page.getByTestId('edit-applied')).toHaveAttribute('data-applied', 'restarted');
  expect(await virsh('net-dumpxml', NETWORK)).toContain("<mtu size='1400'/>");
  expect(await virsh('net-dumpxml', '--inactive', NETWORK)).toContain(TEST_DNSMASQ_OPTION);
  // The running guest's tap is back on the new bridge.
  expect(await guestTapMaster()).toBe(BRIDGE);
  await page.getByTestId('edit-done').click();
});

test('the XML view refuses bad XML with the field and the fix', async ({ page, serve }) => {
  await openNetwork(page, serve.url);
  await page.getByTestId('network-xml').click();
  const editor = page.getByTestId('xml-editor');
  expect(await editor.inputValue()).toContain(TEST_DNSMASQ_OPTION);
  await expect(page.getByTestId('xml-valid')).toBeVisible();
  await shoot(page, 'edit-04-xml-view');
  const stored = await editor.inputValue();

  await editor.fill(stored.replace('</dhcp>', ''));
  await expect(page.getByTestId('xml-problems')).toContainText('The network XML is not well-formed');
  await expect(page.getByTestId('edit-review-button')).toBeDisabled();
  await expect(page.getByTestId('edit-tab-form')).toBeDisabled();

  await editor.fill(stored.replace("start='10.231.7.100'", "start='10.231.8.100'"));
  const problem = page.getByTestId('xml-problem');
  await expect(problem).toContainText('ips[0].dhcpRanges[0].start');
  await expect(problem).toContainText('The DHCP range starts at 10.231.8.100, outside 10.231.7.0/24. Keep the range inside 10.231.7.0/24.');
  await expect(page.getByTestId('edit-review-button')).toBeDisabled();
  await shoot(page, 'edit-05-xml-invalid');

  await editor.fill(stored.replace(`<name>${NETWORK}</name>`, '<name>another-name</name>'));
  await expect(problem).toContainText(`Keep <name>${NETWORK}</name>`);

  // A valid hand edit goes through the same review.
  await editor.fill(stored.replace('</ip>', "</ip>\n  <!-- hand-written note -->"));
  await page.getByTestId('edit-review-button').click();
  await expect(page.getByTestId('edit-plan')).toHaveAttribute('data-plan', 'restart');
  await expect(page.getByTestId('xml-diff').locator('[data-kind="added"]')).toContainText(['<!-- hand-written note -->']);
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await virsh('net-dumpxml', '--inactive', NETWORK)).not.toContain('hand-written note');
});

test('a restart libvirt refuses is shown verbatim, and the network stays as it was', async ({ page, serve }) => {
  const storedBefore = await virsh('net-dumpxml', '--inactive', NETWORK);
  await openNetwork(page, serve.url);
  await page.getByTestId('network-xml').click();
  const editor = page.getByTestId('xml-editor');
  // Well-formed and valid to Switchyard, but dnsmasq refuses the option, so the network cannot start.
  await editor.fill((await editor.inputValue()).replace(TEST_DNSMASQ_OPTION, `${TEST_DNSMASQ_OPTION}<dnsmasq:option value='no-such-option=1'/>`));
  await page.getByTestId('edit-review-button').click();
  await page.getByTestId('edit-apply').click();
  await page.getByTestId('restart-confirm-confirm').click();
  const error = page.getByTestId('restart-confirm-error');
  await expect(error.getByTestId('error-message')).toContainText('dnsmasq: bad option');
  await expect(error.getByTestId('error-hint')).toContainText('restored to its previous definition and started again');
  await shoot(page, 'edit-07-restart-refused');
  expect(await virsh('net-dumpxml', '--inactive', NETWORK)).toBe(storedBefore);
  expect(await virsh('net-info', NETWORK)).toMatch(/^Active:\s+yes$/m);
  expect(await guestTapMaster()).toBe(BRIDGE);
});

test('stop asks first and lists who loses the link; start plugs the guest back in; autostart toggles', async ({ page, serve }) => {
  await openNetwork(page, serve.url);
  const autostart = page.getByTestId('network-autostart');
  await expect(autostart).not.toBeChecked();
  await autostart.click();
  await expect(autostart).toBeChecked();
  expect(await virsh('net-info', NETWORK)).toMatch(/^Autostart:\s+yes$/m);
  await autostart.click();
  await expect(autostart).not.toBeChecked();
  expect(await virsh('net-info', NETWORK)).toMatch(/^Autostart:\s+no$/m);

  await page.getByTestId('network-stop').click();
  const confirm = page.getByTestId('stop-confirm');
  await expect(confirm.getByTestId(`impact-nic-${RUNNING_GUEST.name}`)).toContainText('Loses connectivity until the network starts again');
  await page.getByTestId('stop-confirm-confirm').click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('network-start')).toBeVisible();
  expect(await virsh('net-info', NETWORK)).toMatch(/^Active:\s+no$/m);

  await page.getByTestId('network-start').click();
  await expect(page.getByTestId('network-stop')).toBeVisible();
  await expect(page.getByTestId('network-action-notice')).toHaveCount(0);
  expect(await guestTapMaster()).toBe(BRIDGE);
});

test('delete lists the VMs with NICs on the network, then destroys and undefines it', async ({ page, serve }) => {
  await openNetwork(page, serve.url);
  await page.getByTestId('network-delete').click();
  const confirm = page.getByTestId('delete-confirm');
  await expect(confirm).toContainText(`These 2 NICs are on ${NETWORK}`);
  await expect(confirm.getByTestId(`impact-nic-${RUNNING_GUEST.name}`)).toContainText(RUNNING_GUEST.mac);
  await expect(confirm.getByTestId(`impact-nic-${RUNNING_GUEST.name}`)).toContainText('Loses connectivity');
  await expect(confirm.getByTestId(`impact-nic-${STOPPED_GUEST.name}`)).toContainText('Cannot start until the NIC is moved');
  await shoot(page, 'edit-06-delete-confirm');

  await page.getByTestId('delete-confirm-confirm').click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId(`network-row-${NETWORK}`)).toHaveCount(0);
  expect((await virsh('net-list', '--all', '--name')).split('\n').map((line) => line.trim())).not.toContain(NETWORK);
});
