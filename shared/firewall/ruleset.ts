// What a firewall spec becomes on the host. Switchyard owns one nftables table (`ip switchyard`)
// with the DNAT of each forward, for traffic arriving from elsewhere (prerouting) and from the
// host itself (output), and the masquerade that makes hairpin connections from the network's own
// guests work. A forwarded connection must also get past libvirt's "reject anything into the
// network" rule; an accept in another nftables table cannot override a reject (every base chain
// on the hook must accept), so the accept goes into the table libvirt's rules live in: with
// libvirt's iptables backend, a chain SWITCHYARD_FWD jumped to first from FORWARD; with its
// nftables backend (libvirt ≥ 10.4), commented rules at the top of libvirt_network's guest_input.
import type { AppliedForward, FirewallSpec } from '../helper-protocol';

export const SWITCHYARD_TABLE = 'switchyard';
export const SWITCHYARD_FORWARD_CHAIN = 'SWITCHYARD_FWD';
/** Marks Switchyard's iptables rules, so the firewall view (and a human) can tell them apart. */
export const SWITCHYARD_RULE_COMMENT = 'switchyard port forward';

/** libvirt's nftables backend: its table, and the chain that rejects connections into a network. */
export const LIBVIRT_NFT_TABLE = 'libvirt_network';
export const LIBVIRT_NFT_INPUT_CHAIN = 'guest_input';

/** nat priorities as numbers: nft 1.0.6 accepts the "dstnat" keyword for prerouting only. */
const DSTNAT_PRIORITY = -100;
const SRCNAT_PRIORITY = 100;

function destinationMatch(forward: AppliedForward): string {
  return forward.hostAddress ? `ip daddr ${forward.hostAddress}` : 'fib daddr type local';
}

function dnat(forward: AppliedForward): string {
  return `${forward.protocol} dport ${forward.hostPort} dnat to ${forward.guestIp}:${forward.guestPort}`;
}

/** Where libvirt's nftables backend keeps its rules, and the handles of our accepts already in it. */
export interface LibvirtNftChain {
  /** Handles of the rules in guest_input that carry Switchyard's comment. */
  staleHandles: readonly number[];
}

/**
 * The `nft -f -` input that replaces Switchyard's table with exactly the spec's forwards, in one
 * transaction. Declaring the table first makes the delete succeed when it does not exist yet.
 * With libvirt's nftables backend it also replaces our accepts at the top of guest_input.
 * Every token comes from a schema-checked value (interface names, addresses, port numbers).
 */
export function nftScript(spec: FirewallSpec, libvirtChain?: LibvirtNftChain): string {
  const lines = [`table ip ${SWITCHYARD_TABLE}`, `delete table ip ${SWITCHYARD_TABLE}`];
  if (libvirtChain) {
    const chain = `ip ${LIBVIRT_NFT_TABLE} ${LIBVIRT_NFT_INPUT_CHAIN}`;
    lines.push(...libvirtChain.staleHandles.map((handle) => `delete rule ${chain} handle ${handle}`));
    lines.push(
      ...spec.forwards.map(
        (f) => `insert rule ${chain} oifname "${f.bridge}" ip daddr ${f.guestIp} ${f.protocol} dport ${f.guestPort} ct status dnat counter accept comment "${SWITCHYARD_RULE_COMMENT}"`,
      ),
    );
  }
  if (spec.forwards.length === 0) return `${lines.join('\n')}\n`;
  const chain = (name: string, hook: string, priority: number, rules: string[]) => [
    `\tchain ${name} {`,
    `\t\ttype nat hook ${hook} priority ${priority}; policy accept;`,
    ...rules.map((rule) => `\t\t${rule}`),
    '\t}',
  ];
  lines.push(
    `table ip ${SWITCHYARD_TABLE} {`,
    ...chain('prerouting', 'prerouting', DSTNAT_PRIORITY, spec.forwards.map((f) => `${destinationMatch(f)} ${dnat(f)}`)),
    // Connections from the host to its own address; loopback stays the host's (routing 127/8 out is a martian).
    ...chain('output', 'output', DSTNAT_PRIORITY, spec.forwards.map((f) => `${destinationMatch(f)} ip daddr != 127.0.0.0/8 ${dnat(f)}`)),
    // A guest reaching another guest through the host's address must see the reply come from the host.
    ...chain(
      'postrouting',
      'postrouting',
      SRCNAT_PRIORITY,
      spec.forwards.map(
        (f) => `oifname "${f.bridge}" ip saddr ${f.subnet} ip daddr ${f.guestIp} ${f.protocol} dport ${f.guestPort} ct status dnat masquerade`,
      ),
    ),
    '}',
  );
  return `${lines.join('\n')}\n`;
}

/** The SWITCHYARD_FWD rule (iptables-save syntax) that accepts connections a forward translated. */
export function forwardAcceptRule(forward: AppliedForward): string {
  return [
    `-A ${SWITCHYARD_FORWARD_CHAIN}`,
    `-d ${forward.guestIp}/32 -o ${forward.bridge}`,
    `-p ${forward.protocol} -m ${forward.protocol} --dport ${forward.guestPort}`,
    '-m conntrack --ctstate DNAT',
    `-m comment --comment "${SWITCHYARD_RULE_COMMENT}"`,
    '-j ACCEPT',
  ].join(' ');
}

/**
 * The `iptables-restore --noflush` input that fills SWITCHYARD_FWD with exactly the spec's
 * accepts: declaring the chain creates it or flushes it, leaving every other chain alone.
 */
export function iptablesRestoreInput(spec: FirewallSpec): string {
  return ['*filter', `:${SWITCHYARD_FORWARD_CHAIN} - [0:0]`, ...spec.forwards.map(forwardAcceptRule), 'COMMIT', ''].join('\n');
}

/** The jump that must come first in FORWARD, as `iptables -S FORWARD` prints it. */
export const FORWARD_JUMP_RULE = `-A FORWARD -j ${SWITCHYARD_FORWARD_CHAIN}`;

/** Whether the jump to SWITCHYARD_FWD is FORWARD's first rule (`iptables -S FORWARD` output). */
export function forwardJumpIsFirst(listing: string): boolean {
  const rules = listing.split('\n').filter((line) => line.startsWith('-A FORWARD '));
  return rules[0] === FORWARD_JUMP_RULE;
}

/** How many jumps to SWITCHYARD_FWD FORWARD holds (`iptables -S FORWARD` output). */
export function forwardJumpCount(listing: string): number {
  return listing.split('\n').filter((line) => line.trim() === FORWARD_JUMP_RULE).length;
}
