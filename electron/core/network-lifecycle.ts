// A network's whole life: create (define, start, autostart), edit (live where libvirt can,
// otherwise a restart), start, stop, autostart and delete. Every operation leaves the network as
// it was when it fails: a new network half-created is removed again, and an edit whose restart
// fails brings back the old definition and starts it, so the user keeps a working network.
// libvirt's refusals reach the user verbatim, with a plain-words explanation as the hint.
import type { RequestInput, RequestOutput } from '../../shared/contract';
import { invalidInput, SwitchyardError } from '../../shared/errors';
import { planNetworkXmlUpdate, undoNetUpdate } from '../../shared/libvirt/network-update-plan';
import { parseNetworkXml, type NetworkDefinition } from '../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../shared/libvirt/network-xml-edit';
import { explainLibvirtRefusal } from '../../shared/libvirt/refusals';
import { canonicalXml } from '../../shared/libvirt/xml-canonical';
import type { Network, Snapshot } from '../../shared/model';
import { toSwitchyardError, validateNetworkDefinition, type HostRoute } from '../../shared/validation/network-validation';
import type { LibvirtHost } from '../host/libvirt';
import { applyAll } from './host-entry-changes';

/** What validation needs to know about the host around a network. */
export interface HostContext {
  snapshot: Snapshot;
  /** undefined where the host's routes cannot be read (a remote libvirt). */
  hostRoutes?: HostRoute[];
}

export type UpdateOutcome = RequestOutput<'updateNetwork'>['applied'];

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

/** Refuses a definition with field errors, checked as the renderer checks it before sending. */
function checkDefinition(definition: NetworkDefinition, host: HostContext, isNew: boolean): void {
  const { snapshot, hostRoutes } = host;
  const problem = toSwitchyardError(
    validateNetworkDefinition(definition, {
      isNew,
      otherNetworks: snapshot.networks.filter((network) => isNew || network.name !== definition.name),
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
  checkDefinition(definition, host, true);
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
  checkDefinition(parseNetworkXml(xml), host, false);
  const storedXml = await libvirt.readNetworkXml(name, { inactive: true });
  const unchanged = canonicalXml(xml) === canonicalXml(storedXml);
  if (!network.active) {
    if (unchanged) return 'unchanged';
    await refusable(() => libvirt.defineNetwork(xml), `${name} was not changed.`);
    return 'stored';
  }

  const plan = planNetworkXmlUpdate(await libvirt.readNetworkXml(name), xml);
  if (!plan.restart) {
    if (plan.live.length === 0 && unchanged) return 'unchanged';
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
    return plan.live.length > 0 ? 'live' : 'stored';
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
    throw explained(error, `${name} was restored to its previous definition and started again.`);
  }
  return 'restarted';
}

/** Brings back the stored definition and a running network; best effort, the first failure is the story. */
async function restore(libvirt: LibvirtHost, name: string, storedXml: string): Promise<void> {
  await libvirt.defineNetwork(storedXml).catch(() => undefined);
  // A stop that failed leaves it running; a start that failed leaves it stopped.
  await libvirt.stopNetwork(name).catch(() => undefined);
  await libvirt.startNetwork(name).catch(() => undefined);
}

/**
 * libvirt matches a definition to its network by UUID: XML without one keeps the network's, and
 * one with another UUID (or name) would be a different network.
 */
function withNetworkUuid(xml: string, network: Network): string {
  const definition = parseNetworkXml(xml);
  if (definition.name !== network.name) {
    throw invalidInput('name', `The XML names the network '${definition.name}', not '${network.name}'.`, `Keep <name>${network.name}</name>; to rename a network, create a new one and move its NICs.`);
  }
  if (definition.uuid === '') return applyNetworkDefinition(xml, { ...definition, uuid: network.uuid });
  if (definition.uuid.toLowerCase() !== network.uuid.toLowerCase()) {
    throw invalidInput('uuid', `The XML has the UUID ${definition.uuid}, but ${network.name} has ${network.uuid}.`, `Keep <uuid>${network.uuid}</uuid> or remove the element.`);
  }
  return xml;
}

export async function startNetwork(libvirt: LibvirtHost, network: Network): Promise<void> {
  if (network.active) return;
  await refusable(() => libvirt.startNetwork(network.name), `${network.name} stays stopped.`);
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
export async function deleteNetwork(libvirt: LibvirtHost, network: Network): Promise<void> {
  const { name } = network;
  if (network.active) await refusable(() => libvirt.stopNetwork(name), `${name} keeps running and stays defined.`);
  if (!network.persistent) return;
  try {
    await libvirt.undefineNetwork(name);
  } catch (error) {
    if (network.active) await libvirt.startNetwork(name).catch(() => undefined);
    throw explained(error, `${name} stays defined${network.active ? ' and was started again' : ''}.`);
  }
}
