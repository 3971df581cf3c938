// A network's whole life: create (define, start, autostart), edit (live where libvirt can,
// otherwise a restart), start, stop, autostart and delete. Every operation leaves the network as
// it was when it fails: a new network half-created is removed again, and an edit whose restart
// fails brings back the old definition and starts it, so the user keeps a working network.
// libvirt's refusals reach the user verbatim, with a plain-words explanation as the hint.
import type { RequestInput, RequestOutput } from '../../shared/contract';
import { invalidInput, SwitchyardError } from '../../shared/errors';
import { planNetworkEdit, undoNetUpdate } from '../../shared/libvirt/network-update-plan';
import { parseNetworkXml, type NetworkDefinition } from '../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../shared/libvirt/network-xml-edit';
import { explainLibvirtRefusal } from '../../shared/libvirt/refusals';
import type { Network, Snapshot } from '../../shared/model';
import { editIdentityProblems, toSwitchyardError, validateNetworkDefinition, type HostRoute } from '../../shared/validation/network-validation';
import type { LibvirtHost } from '../host/libvirt';
import type { LinkHost } from '../host/links';
import { applyAll } from './host-entry-changes';

/** What validation needs to know about the host around a network, and how to reach its links. */
export interface HostContext {
  snapshot: Snapshot;
  /** undefined where the host's routes cannot be read (a remote libvirt). */
  hostRoutes?: HostRoute[];
  /** undefined where the host's links cannot be reached (a remote libvirt). */
  links?: LinkHost;
}

export type UpdateOutcome = Pick<RequestOutput<'updateNetwork'>, 'applied' | 'detachedTaps'>;

/** libvirt's refusal with the plain-words explanation, and what became of the network. */
function explained(error: unknown, aftermath: string): unknown {
  if (!(error instanceof SwitchyardError) || error.value.code !== 'libvirt-error') return error;
  return new SwitchyardError({ ...error.value, hint: `${explainLibvirtRefusal(error.value.message)} ${aftermath}` });
}

/** Runs libvirt steps that changed nothing when they fail (a refused define, start or stop). */
async function refusable<T>(action: () => Promise<T>, aftermath: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw explained(error, aftermath);
  }
}

/**
 * Refuses a definition with field errors, checked as the renderer checks it before sending;
 * `current` is the network an edit replaces.
 */
function checkDefinition(definition: NetworkDefinition, host: HostContext, current?: Network): void {
  const { snapshot, hostRoutes } = host;
  const problem = toSwitchyardError(
    validateNetworkDefinition(definition, {
      isNew: current === undefined,
      ...(current?.active && current.bridge ? { runningBridge: current.bridge.name } : {}),
      otherNetworks: snapshot.networks.filter((network) => network.name !== current?.name),
      // Without host reads the snapshot's list is empty, which must not read as "no links".
      ...(snapshot.hostError ? {} : { hostInterfaces: snapshot.hostInterfaces }),
      ...(hostRoutes ? { hostRoutes } : {}),
    }),
  );
  if (problem) throw problem;
}

/** Defines the network, then starts it and sets autostart as asked; undoes exactly what it did on failure. */
export async function createNetwork(libvirt: LibvirtHost, host: HostContext, input: RequestInput<'createNetwork'>): Promise<string> {
  const definition = parseNetworkXml(input.xml);
  checkDefinition(definition, host);
  // A UUID of an existing network would make net-define replace that network.
  const sameUuid = host.snapshot.networks.find((network) => definition.uuid !== '' && network.uuid === definition.uuid);
  if (sameUuid) throw invalidInput('uuid', `Network '${sameUuid.name}' already has the UUID ${definition.uuid}.`, 'Remove the <uuid> element; libvirt generates a new one.');
  const { name } = definition;
  await refusable(() => libvirt.defineNetwork(input.xml), 'Nothing was created.');
  let started = false;
  try {
    if (input.start) {
      await libvirt.startNetwork(name);
      started = true;
    }
    if (input.autostart) await libvirt.setNetworkAutostart(name, true);
  } catch (error) {
    if (started) await libvirt.stopNetwork(name).catch(() => undefined);
    await libvirt.undefineNetwork(name).catch(() => undefined);
    throw explained(error, `The new network ${name} was removed again; nothing is left behind.`);
  }
  return name;
}

/**
 * Replaces the definition of `network` with `input.xml`. A stopped network only gets its stored
 * definition replaced; a running one gets the live-applicable changes in place, or is restarted
 * (with allowRestart) — and when the restart fails, the old definition is restored and started.
 */
export async function updateNetwork(
  libvirt: LibvirtHost,
  host: HostContext,
  network: Network,
  input: RequestInput<'updateNetwork'>,
): Promise<UpdateOutcome> {
  const { name } = network;
  if (!network.persistent) {
    throw new SwitchyardError({
      code: 'transient-network',
      field: 'name',
      message: `${name} is a transient network: libvirt keeps no definition of it to replace.`,
      hint: `Make it persistent first (virsh net-dumpxml ${name} > ${name}.xml; virsh net-define ${name}.xml), then edit it.`,
    });
  }
  const xml = withNetworkUuid(input.xml, network);
  checkDefinition(parseNetworkXml(xml), host, network);
  const storedXml = await libvirt.readNetworkXml(name, { inactive: true });
  const plan = planNetworkEdit(storedXml, xml, network.active);
  if (plan.kind === 'unchanged') return { applied: 'unchanged' };
  if (plan.kind === 'stored') {
    await refusable(() => libvirt.defineNetwork(xml), `${name} was not changed.`);
    return { applied: 'stored' };
  }
  if (plan.kind === 'live') {
    // The stored definition becomes exactly the user's XML; the running network gets the same
    // changes through net-update --live, undone (with the old definition restored) on failure.
    await refusable(() => libvirt.defineNetwork(xml), `${name} was not changed.`);
    try {
      const steps = plan.live.map((update) => ({ update, undo: undoNetUpdate(update) }));
      await applyAll(libvirt, network, steps, { live: true, config: false });
    } catch (error) {
      await libvirt.defineNetwork(storedXml).catch(() => undefined);
      throw explained(error, `${name} was left as it was.`);
    }
    return { applied: 'live' };
  }

  if (!input.allowRestart) {
    throw new SwitchyardError({
      code: 'restart-required',
      field: 'allowRestart',
      message: `This change restarts ${name}: ${plan.reasons.join('; ')}.`,
      hint: 'Guests on the network lose connectivity for a moment while it restarts; confirm the restart to apply it.',
    });
  }
  await refusable(() => libvirt.defineNetwork(xml), `${name} was not changed.`);
  try {
    await libvirt.stopNetwork(name);
    await libvirt.startNetwork(name);
  } catch (error) {
    await restore(libvirt, name, storedXml);
    await reattachGuests(libvirt, host, network).catch(() => undefined);
    throw explained(error, `${name} was restored to its previous definition and started again.`);
  }
  return { applied: 'restarted', detachedTaps: await reattachGuests(libvirt, host, network) };
}

/** Brings back the stored definition and a running network; best effort, the first failure is the story. */
async function restore(libvirt: LibvirtHost, name: string, storedXml: string): Promise<void> {
  await libvirt.defineNetwork(storedXml).catch(() => undefined);
  // A stop that failed leaves it running; a start that failed leaves it stopped.
  await libvirt.stopNetwork(name).catch(() => undefined);
  await libvirt.startNetwork(name).catch(() => undefined);
}

/** Modes whose bridge libvirt creates at start (and removes at stop, with the guests' taps on it). */
const OWN_BRIDGE_MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'isolated']);

/**
 * Puts the taps of running guests back on the network's bridge after it was started again:
 * libvirt removes the bridge at stop and does not reattach the taps at start, so without this the
 * guests stay cut off until they restart. Answers the taps it could not reattach.
 */
async function reattachGuests(libvirt: LibvirtHost, host: HostContext, network: Network): Promise<string[]> {
  const taps = host.snapshot.vms.flatMap((vm) =>
    vm.nics.flatMap((nic) => (nic.type === 'network' && nic.network === network.name && nic.tap ? [nic.tap] : [])),
  );
  if (taps.length === 0) return [];
  const live = parseNetworkXml(await libvirt.readNetworkXml(network.name));
  const bridge = live.bridge?.name;
  if (!OWN_BRIDGE_MODES.has(live.forward.mode) || bridge === undefined) return [];
  const { links } = host;
  if (!links) return taps;
  const failed: string[] = [];
  for (const tap of taps) await links.attachToBridge(tap, bridge).catch(() => failed.push(tap));
  return failed;
}

/** The XML with the network's UUID filled in where it has none; refused when it names another network. */
function withNetworkUuid(xml: string, network: Network): string {
  const definition = parseNetworkXml(xml);
  const problem = toSwitchyardError(editIdentityProblems(definition, network));
  if (problem) throw problem;
  return definition.uuid === '' ? applyNetworkDefinition(xml, { ...definition, uuid: network.uuid }) : xml;
}

/** Starts the network and puts running guests' NICs on it back on its bridge; answers the taps it could not. */
export async function startNetwork(libvirt: LibvirtHost, host: HostContext, network: Network): Promise<string[]> {
  if (network.active) return [];
  await refusable(() => libvirt.startNetwork(network.name), `${network.name} stays stopped.`);
  return reattachGuests(libvirt, host, network);
}

export async function stopNetwork(libvirt: LibvirtHost, network: Network): Promise<void> {
  if (!network.active) return;
  await refusable(() => libvirt.stopNetwork(network.name), `${network.name} keeps running.`);
}

export async function setAutostart(libvirt: LibvirtHost, network: Network, autostart: boolean): Promise<void> {
  if (network.autostart === autostart) return;
  await refusable(() => libvirt.setNetworkAutostart(network.name, autostart), `${network.name} was not changed.`);
}

/** Stops the network when it runs, then undefines it; when the undefine fails, starts it again. */
export async function deleteNetwork(libvirt: LibvirtHost, host: HostContext, network: Network): Promise<void> {
  const { name } = network;
  if (network.active) await refusable(() => libvirt.stopNetwork(name), `${name} keeps running and stays defined.`);
  if (!network.persistent) return;
  try {
    await libvirt.undefineNetwork(name);
  } catch (error) {
    if (network.active) {
      await libvirt.startNetwork(name).catch(() => undefined);
      await reattachGuests(libvirt, host, network).catch(() => undefined);
    }
    throw explained(error, `${name} stays defined${network.active ? ' and was started again' : ''}.`);
  }
}
