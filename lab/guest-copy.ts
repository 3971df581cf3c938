// Extra guests for tests that need a lease of their own: copies of a lab guest (diskless, PXE
// booting, so it asks for an address at every boot) under another name and MAC.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import type { LabGuest, LabInfo } from './lab';

export interface GuestCopy {
  name: string;
  mac: string;
  /** Plug the NIC into this bridge instead of the model's libvirt network. */
  bridge?: string;
}

export async function defineGuestCopy(lab: LabInfo, model: LabGuest, copy: GuestCopy): Promise<void> {
  const virsh = (args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
  let xml = (await virsh(['dumpxml', '--inactive', model.name]))
    .replace(`<name>${model.name}</name>`, `<name>${copy.name}</name>`)
    .replace(/\s*<uuid>[^<]*<\/uuid>/, '')
    .replace(model.mac, copy.mac);
  if (copy.bridge) {
    xml = xml
      .replace("<interface type='network'>", "<interface type='bridge'>")
      .replace(`<source network='${model.network}'/>`, `<source bridge='${copy.bridge}'/>`);
  }
  // virsh reads a definition only from a file (its stdin here is a socket, which it cannot open).
  const directory = await mkdtemp(path.join(tmpdir(), 'switchyard-guest-'));
  try {
    await writeFile(path.join(directory, 'guest.xml'), xml);
    await virsh(['define', path.join(directory, 'guest.xml')]);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
