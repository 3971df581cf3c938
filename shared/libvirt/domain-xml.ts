// Reads the parts of libvirt domain XML (formatdomain) that tie a VM to networks: its identity
// and its <interface> devices. Errors name the field as a path such as "devices.interface[1].mac";
// indices count from 0, in document order.
import type { Element } from '@xmldom/xmldom';
import type { Nic } from '../model';
import { attribute, childElement, childElements, childText, invalidXml, parseMac, parseRootElement } from './xml-document';

export interface DomainDefinition {
  name: string;
  /** "" when the XML has none yet (libvirt assigns one at define time). */
  uuid: string;
  nics: Nic[];
}

export function parseDomainXml(xml: string): DomainDefinition {
  const root = parseRootElement(xml, 'domain');
  const name = childText(root, 'name');
  if (name === undefined) {
    throw invalidXml('name', 'The domain has no <name>.', 'Add <name>NAME</name> inside <domain>.');
  }
  const devices = childElement(root, 'devices');
  const interfaces = devices ? childElements(devices, 'interface') : [];
  return {
    name,
    uuid: childText(root, 'uuid') ?? '',
    nics: interfaces.map((nic, index) => parseInterface(nic, `devices.interface[${index}]`)),
  };
}

function parseInterface(nic: Element, path: string): Nic {
  const type = attribute(nic, 'type');
  if (!type) {
    throw invalidXml(`${path}.type`, 'The <interface> has no type.', "Add type='network' (or bridge, direct, …) to the <interface>.");
  }
  const mac = parseMac(attribute(childElement(nic, 'mac'), 'address'), `${path}.mac`);
  const source = childElement(nic, 'source');
  // A running type='network' NIC also names the network's bridge in <source bridge=...>.
  const network = type === 'network' ? attribute(source, 'network') : undefined;
  const bridge = type === 'network' || type === 'bridge' ? attribute(source, 'bridge') : undefined;
  const model = attribute(childElement(nic, 'model'), 'type');
  const tap = attribute(childElement(nic, 'target'), 'dev');
  return {
    type,
    ...(mac ? { mac } : {}),
    ...(model ? { model } : {}),
    ...(network ? { network } : {}),
    ...(bridge ? { bridge } : {}),
    ...(tap ? { tap } : {}),
  };
}
