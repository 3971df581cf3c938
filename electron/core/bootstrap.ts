// Builds a core for a connection URI, choosing where host operations run: on this host, inside a
// lab's namespaces, or nowhere (a remote libvirt, whose host we cannot read).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { localCommandRunner, namespacedCommandRunner, type CommandRunner } from '../host/command-runner';
import { VirshLibvirtHost } from '../host/libvirt';
import { IprouteLinkHost } from '../host/links';
import { SwitchyardCore, type CoreHosts } from './core';

export const DEFAULT_URI = 'qemu:///system';

export interface CoreTarget {
  uri: string;
  /** Run host-level reads inside the network and mount namespaces of this process (a lab). */
  hostNamespacePid?: number;
}

/** True for URIs that name a libvirt on this machine (no host part, no remote transport). */
export function isLocalUri(uri: string): boolean {
  const match = /^([a-z0-9.-]+)(\+[a-z0-9]+)?:\/\/([^/?]*)/i.exec(uri);
  if (!match) return false;
  const transport = match[2]?.slice(1).toLowerCase();
  const host = match[3] ?? '';
  return (host === '' || host === 'localhost') && (transport === undefined || transport === 'unix');
}

export function connectHosts(target: CoreTarget, uri: string): CoreHosts {
  const local = localCommandRunner();
  const hostRunner: CommandRunner | undefined =
    target.hostNamespacePid !== undefined && uri === target.uri
      ? namespacedCommandRunner(target.hostNamespacePid)
      : isLocalUri(uri)
        ? local
        : undefined;
  return {
    libvirt: new VirshLibvirtHost(uri, local),
    ...(hostRunner ? { links: new IprouteLinkHost(hostRunner) } : {}),
  };
}

export function createCore(target: CoreTarget): SwitchyardCore {
  return new SwitchyardCore({ uri: target.uri, connectHosts: (uri) => connectHosts(target, uri) });
}

/** Where `npm run lab:up` records the running lab. */
export function labHome(): string {
  return process.env.SWITCHYARD_LAB_HOME ?? '/tmp/switchyard-lab';
}

const LabStateSchema = z.object({ uri: z.string(), nsPid: z.number().int().positive() });

/** The core target of the running lab, or a clear error when there is none. */
export function readLabTarget(): CoreTarget {
  const file = join(labHome(), 'lab.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`No lab is running (${file} is missing). Start one with "npm run lab:up".`);
  }
  const state = LabStateSchema.parse(JSON.parse(text));
  return { uri: state.uri, hostNamespacePid: state.nsPid };
}
