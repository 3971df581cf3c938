// Writes the <interface> XML that virsh attach-device and update-device take: a new NIC on a
// network, or an existing NIC (with everything libvirt knows about it) pointed at another network.
import { DOMImplementation, XMLSerializer, type Element } from '@xmldom/xmldom';
import { SwitchyardError } from '../errors';
import { attribute, childElement, childElements, parseRootElement } from './xml-document';

export interface NewNetworkInterface {
  network: string;
  mac: string;
  model: string;
}

/** <interface type='network'> with source, MAC and model, as attach-device takes it. */
export function networkInterfaceXml(nic: NewNetworkInterface): string {
  const document = new DOMImplementation().createDocument(null, 'interface', null);
  const root = document.documentElement!;
  root.setAttribute('type', 'network');
  const add = (name: string, attributeName: string, value: string) => {
    const element = document.createElement(name);
    element.setAttribute(attributeName, value);
    root.appendChild(element);
  };
  add('mac', 'address', nic.mac);
  add('source', 'network', nic.network);
  add('model', 'type', nic.model);
  return new XMLSerializer().serializeToString(document);
}

/**
 * The <interface> with MAC `mac` from domain XML, moved to `network`: its source is replaced and
 * everything else (model, PCI address, alias, target) kept, as update-device requires.
 */
export function retargetedInterfaceXml(domainXml: string, mac: string, network: string): string {
  const root = parseRootElement(domainXml, 'domain');
  const devices = childElement(root, 'devices');
  const nic = (devices ? childElements(devices, 'interface') : []).find(
    (element) => attribute(childElement(element, 'mac'), 'address')?.toLowerCase() === mac.toLowerCase(),
  );
  if (!nic) {
    throw new SwitchyardError({
      code: 'not-found',
      field: 'mac',
      message: `The VM has no NIC with MAC ${mac}.`,
      hint: 'Pick one of the VM’s NICs; it may have been removed meanwhile.',
    });
  }
  nic.setAttribute('type', 'network');
  for (const source of childElements(nic, 'source')) nic.removeChild(source);
  const source = nic.ownerDocument!.createElement('source');
  source.setAttribute('network', network);
  insertAfterMac(nic, source);
  return new XMLSerializer().serializeToString(nic);
}

function insertAfterMac(nic: Element, source: Element): void {
  const mac = childElement(nic, 'mac');
  if (mac?.nextSibling) nic.insertBefore(source, mac.nextSibling);
  else nic.appendChild(source);
}
