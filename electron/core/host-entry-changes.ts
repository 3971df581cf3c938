// Changes to a network's DHCP reservations and DNS host records through `virsh net-update`: live
// (no network restart; libvirt rewrites dnsmasq's hostsfile/addnhosts and sends it SIGHUP) and in
// the stored definition when the network is persistent. Every input is checked again here, with
// the renderer's own functions, against the network as libvirt has it now.
import type { RequestInput } from '../../shared/contract';
import { SwitchyardError } from '../../shared/errors';
import {
  dhcpHostProblems,
  dhcpHostXml,
  dnsHostProblems,
  dnsHostXml,
  ipv4ConfigFor,
  normalizeDhcpHost,
  normalizeDnsHost,
  throwFirstProblem,
  type DhcpHostInput,
} from '../../shared/leases/host-entries';
import type { DhcpHost, DnsHost, Network } from '../../shared/model';
import type { LibvirtHost, NetworkUpdate } from '../host/libvirt';

type Update = Omit<NetworkUpdate, 'live' | 'config'>;

/**
 * Applies updates in order; when one fails, undoes the ones before it so nothing is lost. By
 * default they change the running network and its stored definition, as far as it has them.
 */
export async function applyAll(
  libvirt: LibvirtHost,
  network: Network,
  steps: readonly { update: Update; undo: Update }[],
  scope: { live: boolean; config: boolean } = { live: network.active, config: network.persistent },
): Promise<void> {
  const done: Update[] = [];
  for (const { update, undo } of steps) {
    try {
      await libvirt.updateNetwork(network.name, { ...update, ...scope });
    } catch (error) {
      for (const step of done.reverse()) await libvirt.updateNetwork(network.name, { ...step, ...scope }).catch(() => undefined);
      throw error instanceof SwitchyardError
        ? new SwitchyardError({ ...error.value, hint: error.value.hint ?? `libvirt refused the change to ${network.name}; nothing was changed.` })
        : error;
    }
    done.push(undo);
  }
}

function dhcpUpdate(command: Update['command'], network: Network, host: DhcpHost): Update {
  const parent = ipv4ConfigFor(network, host.ip);
  return { command, section: 'ip-dhcp-host', xml: dhcpHostXml(host), ...(parent ? { parentIndex: parent.index } : {}) };
}

function dnsUpdate(command: Update['command'], host: DnsHost): Update {
  return { command, section: 'dns-host', xml: dnsHostXml(host) };
}

/** The network's reservation with these values, exactly as libvirt has it (for delete to match). */
function existingReservation(network: Network, wanted: DhcpHostInput): DhcpHost {
  const { mac, ip } = normalizeDhcpHost(wanted);
  const found = network.ips.flatMap((config) => config.dhcpHosts).find((h) => h.ip === ip && h.mac?.toLowerCase() === mac);
  if (!found) {
    throw new SwitchyardError({
      code: 'not-found',
      field: 'mac',
      message: `Network ${network.name} has no reservation of ${ip} for ${mac}.`,
      hint: 'It may have been changed meanwhile; look at the network’s current reservations.',
    });
  }
  return found;
}

function existingDnsHost(network: Network, wanted: DnsHost): DnsHost {
  const { ip } = normalizeDnsHost(wanted);
  const found = network.dnsHosts.find((h) => h.ip === ip);
  if (!found) {
    throw new SwitchyardError({
      code: 'not-found',
      field: 'ip',
      message: `Network ${network.name} has no DNS entry for ${ip}.`,
      hint: 'It may have been removed meanwhile; look at the network’s current DNS entries.',
    });
  }
  return found;
}

export async function reserveAddress(libvirt: LibvirtHost, network: Network, input: RequestInput<'reserveAddress'>): Promise<void> {
  throwFirstProblem(dhcpHostProblems(network, input));
  const host = normalizeDhcpHost(input);
  await applyAll(libvirt, network, [{ update: dhcpUpdate('add', network, host), undo: dhcpUpdate('delete', network, host) }]);
}

export async function updateReservation(libvirt: LibvirtHost, network: Network, input: RequestInput<'updateReservation'>): Promise<void> {
  const original = existingReservation(network, input.original);
  throwFirstProblem(dhcpHostProblems(network, input, original));
  const host = normalizeDhcpHost(input);
  // libvirt's modify finds the entry by MAC and keeps its place; a new MAC needs delete + add.
  const sameMacAndSubnet = host.mac === original.mac?.toLowerCase() && ipv4ConfigFor(network, host.ip)?.index === ipv4ConfigFor(network, original.ip)?.index;
  await applyAll(
    libvirt,
    network,
    sameMacAndSubnet
      ? [{ update: dhcpUpdate('modify', network, host), undo: dhcpUpdate('modify', network, original) }]
      : [
          { update: dhcpUpdate('delete', network, original), undo: dhcpUpdate('add', network, original) },
          { update: dhcpUpdate('add', network, host), undo: dhcpUpdate('delete', network, host) },
        ],
  );
}

export async function removeReservation(libvirt: LibvirtHost, network: Network, input: RequestInput<'removeReservation'>): Promise<void> {
  const original = existingReservation(network, input);
  await applyAll(libvirt, network, [{ update: dhcpUpdate('delete', network, original), undo: dhcpUpdate('add', network, original) }]);
}

export async function addDnsHost(libvirt: LibvirtHost, network: Network, input: RequestInput<'addDnsHost'>): Promise<void> {
  throwFirstProblem(dnsHostProblems(network, input));
  const host = normalizeDnsHost(input);
  await applyAll(libvirt, network, [{ update: dnsUpdate('add', host), undo: dnsUpdate('delete', host) }]);
}

export async function updateDnsHost(libvirt: LibvirtHost, network: Network, input: RequestInput<'updateDnsHost'>): Promise<void> {
  const original = existingDnsHost(network, input.original);
  throwFirstProblem(dnsHostProblems(network, input, original));
  const host = normalizeDnsHost(input);
  // libvirt cannot modify a DNS host record ("only added or deleted").
  await applyAll(libvirt, network, [
    { update: dnsUpdate('delete', original), undo: dnsUpdate('add', original) },
    { update: dnsUpdate('add', host), undo: dnsUpdate('delete', host) },
  ]);
}

export async function removeDnsHost(libvirt: LibvirtHost, network: Network, input: RequestInput<'removeDnsHost'>): Promise<void> {
  const original = existingDnsHost(network, input);
  await applyAll(libvirt, network, [{ update: dnsUpdate('delete', original), undo: dnsUpdate('add', original) }]);
}
