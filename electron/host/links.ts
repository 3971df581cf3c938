// The links host operation: interfaces, bridges, ports and addresses as the kernel reports them,
// read from `ip -json` (run through a CommandRunner, so it can look into a lab's namespace).
import { z } from 'zod';
import { SwitchyardError } from '../../shared/errors';
import type { HostInterface } from '../../shared/model';
import { runChecked, type CommandRunner } from './command-runner';

export interface LinkHost {
  listInterfaces(): Promise<HostInterface[]>;
}

// Only the fields we use; iproute2 adds fields across versions, so unknown ones pass through.
const IpAddrEntrySchema = z.object({
  ifname: z.string(),
  link_type: z.string().optional(),
  address: z.string().optional(),
  master: z.string().optional(),
  operstate: z.string().optional(),
  mtu: z.number().optional(),
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
  addr_info: z
    .array(
      z.object({
        family: z.string(),
        local: z.string().optional(),
        prefixlen: z.number().optional(),
      }),
    )
    .optional(),
});
const IpAddrOutputSchema = z.array(IpAddrEntrySchema);

/** Maps `ip -json -details addr show` output to HostInterfaces. */
export function parseIpAddrJson(text: string): HostInterface[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SwitchyardError({
      code: 'invalid-output',
      message: 'The output of "ip -json addr show" is not JSON.',
      hint: 'Install a current iproute2 (Debian package iproute2); its "ip" must support -json.',
    });
  }
  const parsed = IpAddrOutputSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError({
      code: 'invalid-output',
      field: issue?.path.join('.'),
      message: `Unexpected "ip -json addr show" output: ${issue?.message ?? 'unknown shape'}.`,
      hint: 'Install a current iproute2 (Debian package iproute2).',
    });
  }
  return parsed.data.map((entry) => ({
    name: entry.ifname,
    kind: entry.linkinfo?.info_kind ?? (entry.link_type === 'loopback' ? 'loopback' : 'device'),
    ...(entry.address ? { mac: entry.address } : {}),
    ...(entry.master ? { master: entry.master } : {}),
    operState: (entry.operstate ?? 'UNKNOWN').toLowerCase(),
    ...(entry.mtu !== undefined ? { mtu: entry.mtu } : {}),
    addresses: (entry.addr_info ?? [])
      .filter((a) => (a.family === 'inet' || a.family === 'inet6') && a.local !== undefined)
      .map((a) => ({
        family: a.family === 'inet' ? ('ipv4' as const) : ('ipv6' as const),
        address: a.local!,
        prefix: a.prefixlen ?? (a.family === 'inet' ? 32 : 128),
      })),
  }));
}

export class IprouteLinkHost implements LinkHost {
  constructor(private readonly runner: CommandRunner) {}

  async listInterfaces(): Promise<HostInterface[]> {
    return parseIpAddrJson(await runChecked(this.runner, 'ip', ['-json', '-details', 'addr', 'show']));
  }
}
