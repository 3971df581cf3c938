// The New network wizard in Chromium against the lab: one network of each mode is created through
// the UI, then checked on the lab host — the definition (virsh net-dumpxml), the bridge and its
// gateway address (ip -json), dnsmasq's configuration and process, the firewall rules libvirt wrote
// (the lab's libvirt 9 writes them with iptables, which iptables-save lists), and a PXE guest's
// lease inside the chosen range. The bad paths: clashes shown at the field with nothing defined,
// and a definition libvirt refuses at start, shown verbatim and leaving nothing behind.
import fs from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { localCommandRunner, runChecked, type CommandRunner } from '../electron/host/command-runner';
import { guestXml, labCommandRunner, labNetNamespace, processesInNamespace, readLabInfo, findLeasedAddress, type LabInfo } from '../lab/lab';
import { parseIpv4 } from '../shared/address';
import { dnsmasqCommandLineOptions, dnsmasqConfigOptions } from '../shared/leases/dnsmasq-config';
import { parseNetworkXml } from '../shared/libvirt/network-xml';
import type { ForwardMode } from '../shared/model';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS, TEST_OUTPUT } from './test-output';

const host = localCommandRunner();
let info: LabInfo;
let lab: CommandRunner;

const virsh = (...args: string[]) => runChecked(host, 'virsh', ['--connect', info.uri, ...args]);
const inLab = (program: string, ...args: string[]) => runChecked(lab, program, args);

// What each test made, removed in afterEach whether the test passed or not.
const made = { guests: [] as string[], networks: [] as string[], bridges: [] as string[] };

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  info = running;
  lab = labCommandRunner(info);
});

test.afterEach(async () => {
  for (const guest of made.guests.splice(0)) {
    await virsh('destroy', guest).catch(() => undefined);
    await virsh('undefine', guest).catch(() => undefined);
  }
  for (const network of made.networks.splice(0)) {
    await virsh('net-destroy', network).catch(() => undefined);
    await virsh('net-undefine', network).catch(() => undefined);
  }
  for (const bridge of made.bridges.splice(0)) await inLab('ip', 'link', 'delete', bridge).catch(() => undefined);
});

async function shoot(page: Page, name: string) {
  await page.getByTestId('new-network-wizard').getByRole('dialog').screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

async function networkNames(): Promise<string[]> {
  return (await virsh('net-list', '--all', '--name')).split('\n').map((line) => line.trim()).filter(Boolean).sort();
}

const field = (page: Page, path: string) => page.getByTestId(`field-${path}`);

/** Opens the wizard and chooses the mode and name. */
async function startWizard(page: Page, mode: string, name: string, url: string) {
  await page.goto(url);
  await page.getByTestId('new-network').click();
  await page.getByTestId(`mode-${mode}`).click();
  await field(page, 'name').fill(name);
  made.networks.push(name);
}

/** What the user chose, read back from the wizard's fields. */
interface Chosen {
  bridge: string;
  address: string;
  prefix: number;
  range: { start: string; end: string };
}

/** Steps through Addressing and DHCP & DNS (after `adjust`), reading what is filled in. */
interface Adjustments {
  address?: string;
  range?: { start: string; end: string };
  /** More input on the DHCP & DNS step. */
  onDhcpStep?: (page: Page) => Promise<void>;
}

async function addressAndDhcp(page: Page, adjust?: Adjustments, shots?: string): Promise<Chosen> {
  await page.getByTestId('wizard-next').click();
  if (adjust?.address) await field(page, 'ips[0].address').fill(adjust.address);
  const address = await field(page, 'ips[0].address').inputValue();
  const bridge = await field(page, 'bridge.name').inputValue();
  const prefix = Number((await page.getByTestId('subnet-ipv4').textContent())?.split('/')[1]);
  if (shots) await shoot(page, `${shots}-addressing`);
  await page.getByTestId('wizard-next').click();
  if (adjust?.range) {
    await field(page, 'ips[0].dhcpRanges[0].start').fill(adjust.range.start);
    await field(page, 'ips[0].dhcpRanges[0].end').fill(adjust.range.end);
  }
  await adjust?.onDhcpStep?.(page);
  const range = { start: await field(page, 'ips[0].dhcpRanges[0].start').inputValue(), end: await field(page, 'ips[0].dhcpRanges[0].end').inputValue() };
  if (shots) await shoot(page, `${shots}-dhcp-dns`);
  await page.getByTestId('wizard-next').click();
  return { bridge, address, prefix, range };
}

/** Creates from the review step and waits for the result. */
async function create(page: Page, name: string, shots?: string) {
  await expect(page.getByTestId('wizard-xml')).toContainText(`<name>${name}</name>`);
  if (shots) await shoot(page, `${shots}-review`);
  await page.getByTestId('wizard-create').click();
  await expect(page.getByTestId('wizard-success')).toContainText(`${name} is running`);
  if (shots) await shoot(page, `${shots}-created`);
  await page.getByTestId('wizard-close').click();
  // The new network is selected: its details are open.
  await expect(page.getByRole('complementary').getByText(name).first()).toBeVisible();
}

/** virsh net-dumpxml says what the wizard was told, and the network runs with autostart. */
async function checkDefinition(name: string, mode: ForwardMode, chosen?: Chosen) {
  const definition = parseNetworkXml(await virsh('net-dumpxml', name));
  expect(definition.forward.mode).toBe(mode);
  const state = await virsh('net-info', name);
  expect(state).toMatch(/Active:\s+yes/);
  expect(state).toMatch(/Autostart:\s+yes/);
  if (!chosen) return definition;
  expect(definition.bridge?.name).toBe(chosen.bridge);
  expect(definition.ips[0]).toMatchObject({ family: 'ipv4', address: chosen.address, prefix: chosen.prefix });
  expect(definition.ips[0]?.dhcpRanges[0]).toMatchObject(chosen.range);
  return definition;
}

/** The bridge exists in the lab with the gateway address, and dnsmasq serves the chosen range. */
async function checkBridgeAndDnsmasq(name: string, chosen: Chosen) {
  const [link] = JSON.parse(await inLab('ip', '-json', 'address', 'show', 'dev', chosen.bridge)) as { addr_info: { family: string; local: string; prefixlen: number }[] }[];
  expect(link?.addr_info).toContainEqual(expect.objectContaining({ family: 'inet', local: chosen.address, prefixlen: chosen.prefix }));

  const confPath = `/var/lib/libvirt/dnsmasq/${name}.conf`;
  const conf = dnsmasqConfigOptions(await fs.readFile(`/proc/${info.nsPid}/root${confPath}`, 'utf8'));
  expect(conf.find((option) => option.name === 'dhcp-range')?.value).toMatch(new RegExp(`^${chosen.range.start},${chosen.range.end}(,|$)`));
  expect(conf.find((option) => option.name === 'interface')?.value).toBe(chosen.bridge);
  const pids = await processesInNamespace(await labNetNamespace(info));
  const commandLines = await Promise.all(pids.map((pid) => fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  const dnsmasq = commandLines
    .map((line) => line.split('\0').filter(Boolean))
    .filter((argv) => argv[0]?.endsWith('dnsmasq'))
    .map((argv) => dnsmasqCommandLineOptions(argv.slice(1)));
  expect(dnsmasq.some((options) => options.some((option) => option.name === 'conf-file' && option.value === confPath))).toBe(true);
}

/** The rules libvirt wrote that mention the bridge (as an interface) or the subnet. */
async function firewallRules(bridge: string, subnet?: string): Promise<string[]> {
  const rules = await inLab('iptables-save');
  return rules.split('\n').filter((line) => line.startsWith('-A ') && (line.includes(` ${bridge} `) || (subnet !== undefined && line.includes(subnet))));
}

/** Defines and starts a diskless PXE guest (the lab's own kind) with one NIC on `network`. */
async function startGuest(network: string, mac: string): Promise<void> {
  const guest = `wz-guest-${network}`;
  made.guests.push(guest);
  const file = `${TEST_OUTPUT}/${guest}.xml`;
  await fs.writeFile(file, guestXml({ name: guest, network, mac }));
  await virsh('define', file).finally(() => fs.rm(file));
  await runChecked(host, 'virsh', ['--connect', info.uri, 'start', guest], { timeoutMs: 60_000 });
}

/** A diskless PXE guest on the network gets a lease inside the range. */
async function checkLease(name: string, range: { start: string; end: string }, mac: string): Promise<string> {
  await startGuest(name, mac);
  let leased: string | undefined;
  await expect
    .poll(async () => (leased = findLeasedAddress(await virsh('net-dhcp-leases', name), mac)), { timeout: 60_000, intervals: [500] })
    .toBeTruthy();
  const value = parseIpv4(leased!)!;
  expect(value).toBeGreaterThanOrEqual(parseIpv4(range.start)!);
  expect(value).toBeLessThanOrEqual(parseIpv4(range.end)!);
  return leased!;
}

const subnetOf = (chosen: Chosen) => `${chosen.address.replace(/\.\d+$/, '.0')}/${chosen.prefix}`;

interface WizardRun extends Adjustments {
  /** More input (or looking around) on the Mode step. */
  onModeStep?: (page: Page) => Promise<void>;
  /** A sentence the review step's host changes must contain. */
  hostChange: string;
  /** Screenshot name prefix, when the run takes screenshots. */
  shots?: string;
}

/**
 * Creates a network libvirt runs the bridge of (nat, route, isolated, open) through the wizard,
 * checks its definition, bridge and dnsmasq, and answers what was chosen, the stored definition
 * and the firewall rules that mention it.
 */
async function createAndCheck(page: Page, url: string, mode: ForwardMode, name: string, run: WizardRun) {
  await startWizard(page, mode, name, url);
  await run.onModeStep?.(page);
  if (run.shots) await shoot(page, `${run.shots}-mode`);
  const chosen = await addressAndDhcp(page, run, run.shots);
  await expect(page.getByTestId('host-changes')).toContainText(run.hostChange);
  await create(page, name, run.shots);
  const definition = await checkDefinition(name, mode, chosen);
  await checkBridgeAndDnsmasq(name, chosen);
  return { chosen, definition, rules: await firewallRules(chosen.bridge, subnetOf(chosen)) };
}

test('nat: the defaults give a free /24 that masquerades to the uplink, with a leased guest', async ({ page, serve }) => {
  const name = 'wz-nat';
  const { chosen, rules } = await createAndCheck(page, serve.url, 'nat', name, {
    async onModeStep(page) {
      for (const mode of ['route', 'isolated', 'open', 'bridge']) {
        await page.getByTestId(`mode-${mode}`).click();
        await expect(page.getByTestId('mode-diagram')).toHaveAttribute('aria-label', `Diagram of a ${mode} network`);
        await page.getByTestId('mode-explanation').screenshot({ path: `${SCREENSHOTS}/wizard-mode-${mode}.png` });
      }
      await page.getByTestId('mode-nat').click();
    },
    hostChange: 'NAT (masquerade) of 192.168.100.0/24',
    shots: 'wizard',
  });
  await page.screenshot({ path: `${SCREENSHOTS}/wizard-network-selected.png` });
  // The lab holds 192.168.122.0/24 and 10.77.0.0/24: the first free private /24 is 192.168.100.0/24.
  expect(chosen).toMatchObject({ address: '192.168.100.1', prefix: 24, range: { start: '192.168.100.100', end: '192.168.100.200' } });
  expect(rules.some((rule) => rule.includes(`-s ${subnetOf(chosen)}`) && rule.includes('-j MASQUERADE'))).toBe(true);
  expect(rules.some((rule) => rule.includes(`-o ${chosen.bridge}`) && rule.includes('RELATED,ESTABLISHED') && rule.includes('-j ACCEPT'))).toBe(true);
  await checkLease(name, chosen.range, '52:54:00:5a:77:01');
});

test('route: a chosen subnet, range, static host and DNS are forwarded without NAT, and the guest gets its reserved address', async ({ page, serve }) => {
  const name = 'wz-route';
  const mac = '52:54:00:5a:77:02';
  const { chosen, definition, rules } = await createAndCheck(page, serve.url, 'route', name, {
    address: '10.91.7.1',
    range: { start: '10.91.7.50', end: '10.91.7.60' },
    async onDhcpStep(page) {
      await field(page, 'ips[0].dhcpRanges[0].leaseSeconds').fill('30');
      await page.getByRole('button', { name: 'Add static host' }).click();
      await field(page, 'ips[0].dhcpHosts[0].mac').fill(mac);
      await field(page, 'ips[0].dhcpHosts[0].ip').fill('10.91.7.55');
      await field(page, 'ips[0].dhcpHosts[0].name').fill('wz-host');
      await field(page, 'domain').fill('wz.lab');
      await page.getByRole('button', { name: 'Add upstream server' }).click();
      await field(page, 'dns.forwarders[0].addr').fill('10.91.7.254');
      await shoot(page, 'wizard-dhcp-dns-filled');
    },
    hostChange: 'forward traffic between 10.91.7.0/24',
  });
  expect(definition.ips[0]?.dhcpRanges[0]?.leaseSeconds).toBe(1800);
  expect(definition.ips[0]?.dhcpHosts).toEqual([{ mac, ip: '10.91.7.55', name: 'wz-host' }]);
  expect(definition.domain).toBe('wz.lab');
  expect(definition.dns.forwarders).toEqual([{ addr: '10.91.7.254' }]);
  const conf = dnsmasqConfigOptions(await fs.readFile(`/proc/${info.nsPid}/root/var/lib/libvirt/dnsmasq/${name}.conf`, 'utf8'));
  expect(conf).toContainEqual({ name: 'server', value: '10.91.7.254' });
  expect(conf).toContainEqual({ name: 'domain', value: 'wz.lab' });
  expect(rules.some((rule) => rule.includes(`-d ${subnetOf(chosen)} -o ${chosen.bridge}`) && rule.endsWith('-j ACCEPT'))).toBe(true);
  expect(rules.some((rule) => rule.includes(`-s ${subnetOf(chosen)} -i ${chosen.bridge}`) && rule.endsWith('-j ACCEPT'))).toBe(true);
  expect(rules.filter((rule) => rule.includes('MASQUERADE'))).toEqual([]);
  // The reservation lies inside the range, and the guest gets exactly it.
  expect(await checkLease(name, chosen.range, mac)).toBe('10.91.7.55');
});

test('isolated: guests get leases, and the firewall rejects traffic in and out', async ({ page, serve }) => {
  const name = 'wz-isolated';
  const { chosen, rules } = await createAndCheck(page, serve.url, 'isolated', name, { address: '10.92.0.1', hostChange: 'reject all traffic' });
  expect(rules.some((rule) => rule.includes(`-o ${chosen.bridge}`) && rule.includes('-j REJECT'))).toBe(true);
  expect(rules.filter((rule) => rule.includes('MASQUERADE'))).toEqual([]);
  await checkLease(name, chosen.range, '52:54:00:5a:77:03');
});

test('open: no firewall rule at all mentions the network, and guests get leases', async ({ page, serve }) => {
  const name = 'wz-open';
  const { chosen, rules } = await createAndCheck(page, serve.url, 'open', name, { address: '10.93.0.1', hostChange: 'Adds no firewall rules' });
  expect(rules).toEqual([]);
  await checkLease(name, chosen.range, '52:54:00:5a:77:04');
});

test('bridge: a host bridge made in the lab is offered, and guests become its ports', async ({ page, serve }) => {
  const name = 'wz-bridge';
  await startWizard(page, 'bridge', name, serve.url);
  await page.getByTestId('wizard-next').click();
  // The lab has only libvirt's own bridges: the wizard says how to make a host bridge.
  await expect(page.getByTestId('no-host-bridges')).toContainText('Host bridges');
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  await shoot(page, 'wizard-host-bridge-none');
  const bridge = 'br-wz';
  made.bridges.push(bridge);
  await inLab('ip', 'link', 'add', bridge, 'type', 'bridge');
  await inLab('ip', 'link', 'set', bridge, 'up');
  const list = page.getByTestId('host-bridge-list');
  // The lab's own virbr0 and virbr-lab1 belong to libvirt networks and are not offered.
  await expect(list.getByTestId(`host-bridge-${bridge}`)).toBeVisible();
  await expect(list.getByTestId('host-bridge-virbr0')).toHaveCount(0);
  await list.getByTestId(`host-bridge-${bridge}`).click();
  await shoot(page, 'wizard-host-bridge');
  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('host-changes')).toContainText(`tap port on the existing bridge ${bridge}`);
  await create(page, name);

  const definition = await checkDefinition(name, 'bridge');
  expect(definition.bridge?.name).toBe(bridge);
  expect(definition.ips).toEqual([]);
  expect(await firewallRules(bridge)).toEqual([]);
  // A guest on the network is plugged into the host bridge.
  await startGuest(name, '52:54:00:5a:77:05');
  const ports = JSON.parse(await inLab('ip', '-json', 'link', 'show', 'master', bridge)) as { ifname: string; address: string }[];
  // libvirt gives the tap the guest's MAC with the first byte set to 0xfe.
  expect(ports.map((port) => port.address)).toContain('fe:54:00:5a:77:05');
});

test('an overlapping subnet and a taken bridge name are shown at the field, and nothing is defined', async ({ page, serve }) => {
  const before = await networkNames();
  await startWizard(page, 'nat', 'wz-clash', serve.url);
  await page.getByTestId('wizard-next').click();
  const original = await field(page, 'ips[0].address').inputValue();
  await field(page, 'ips[0].address').fill('192.168.122.1');
  await expect(page.getByTestId('form-ips[0].address')).toContainText("192.168.122.0/24 overlaps 192.168.122.0/24 of network 'default' (bridge virbr0)");
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  await shoot(page, 'wizard-overlap');
  await field(page, 'ips[0].address').fill(original);
  await expect(page.getByTestId('wizard-next')).toBeEnabled();
  await field(page, 'bridge.name').fill('virbr-lab1');
  await expect(page.getByTestId('form-bridge.name')).toContainText("Bridge virbr-lab1 already belongs to network 'lab-isolated'");
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  expect(await networkNames()).toEqual(before);
});

test('a definition libvirt refuses is shown verbatim with an explanation, and nothing half-created remains', async ({ page, serve }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const before = await networkNames();
  const linksBefore = (JSON.parse(await inLab('ip', '-json', 'link', 'show')) as { ifname: string }[]).map((link) => link.ifname).sort();
  const name = 'wz-refused';
  await startWizard(page, 'nat', name, serve.url);
  await shoot(page, 'wizard-mode-dark');
  await page.getByTestId('wizard-next').click();
  // Validation warns that a /48 is unusual but lets it through; dnsmasq refuses DHCPv6 on it when libvirt starts the network.
  await page.getByTestId('toggle-ipv6').check();
  await page.getByTestId('form-ips[1].prefix').getByRole('combobox').click();
  await page.getByRole('option', { name: /^\/48/ }).click();
  await expect(page.getByTestId('problem-ips[1].prefix')).toContainText('SLAAC');
  await shoot(page, 'wizard-addressing-ipv6-dark');
  await page.getByTestId('wizard-next').click();
  await page.getByTestId('toggle-dhcp-ipv6').check();
  await page.getByTestId('wizard-next').click();
  await page.getByTestId('wizard-create').click();

  await expect(page.getByTestId('wizard-error-message')).toContainText('prefix length must be at least 64');
  await expect(page.getByTestId('wizard-error-hint')).toContainText('dnsmasq, which serves DHCP and DNS on the network, could not start');
  await expect(page.getByTestId('wizard-error-hint')).toContainText('removed again');
  await shoot(page, 'wizard-refused-dark');
  expect(await networkNames()).toEqual(before);
  const linksAfter = (JSON.parse(await inLab('ip', '-json', 'link', 'show')) as { ifname: string }[]).map((link) => link.ifname).sort();
  expect(linksAfter).toEqual(linksBefore);
  // The wizard stays open with the user's input.
  await page.getByTestId('wizard-back').click();
  await page.getByTestId('wizard-back').click();
  await expect(field(page, 'ips[1].address')).not.toHaveValue('');
  await page.getByTestId('wizard-back').click();
  await expect(field(page, 'name')).toHaveValue(name);
});
