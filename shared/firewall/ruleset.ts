// What a firewall spec becomes on the host. Each forward is first described once, as rules made of
// tool-neutral matches (forwardRules), which two renderers turn into nftables or iptables syntax.
// With nft, Switchyard owns one table (`ip switchyard`) with the DNAT of each forward, for traffic
// arriving from elsewhere (prerouting) and from the host itself (output), and the masquerade that
// makes hairpin connections from the network's own guests work. Without nft, the same rules go into
// Switchyard's iptables chains in the nat table (SWITCHYARD_PRE/OUT/POST, jumped to first from
// PREROUTING/OUTPUT/POSTROUTING). A forwarded connection must also get past libvirt's "reject
// anything into the network" rule; an accept in another nftables table cannot override a reject
// (every base chain on the hook must accept), so the accept goes into the table libvirt's rules
// live in: with libvirt's iptables backend, a chain SWITCHYARD_FWD jumped to first from FORWARD;
// with its nftables backend (libvirt ≥ 10.4), commented rules at the top of libvirt_network's
// guest_input.
import type { AppliedForward, FirewallSpec } from '../helper-protocol';
import { parseIptablesChains, parseIptablesSave } from './iptables-save';

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
const LOOPBACK = '127.0.0.0/8';

/** One condition of a rule, in neither tool's words. */
type Match =
  | { kind: 'to-host' }
  | { kind: 'to'; address: string }
  | { kind: 'not-to'; cidr: string }
  | { kind: 'from'; cidr: string }
  | { kind: 'out'; bridge: string }
  | { kind: 'port'; protocol: AppliedForward['protocol']; port: number }
  /** The connection's destination was translated (by a forward's DNAT). */
  | { kind: 'translated' };

type Action = { kind: 'dnat'; to: string } | { kind: 'masquerade' } | { kind: 'accept' };

export interface NeutralRule {
  matches: Match[];
  action: Action;
}

/** Where a forward's rules go: the three nat hooks, and the accept past libvirt's reject. */
export type ForwardHook = 'prerouting' | 'output' | 'postrouting' | 'accept';

/** Everything one forward needs, hook by hook; both renderers start from this. */
export function forwardRules(forward: AppliedForward): Record<ForwardHook, NeutralRule> {
  const hostPort: Match = { kind: 'port', protocol: forward.protocol, port: forward.hostPort };
  const guestPort: Match = { kind: 'port', protocol: forward.protocol, port: forward.guestPort };
  const toGuest: Match = { kind: 'to', address: forward.guestIp };
  const out: Match = { kind: 'out', bridge: forward.bridge };
  const dnat: Action = { kind: 'dnat', to: `${forward.guestIp}:${forward.guestPort}` };
  const destination: Match = forward.hostAddress ? { kind: 'to', address: forward.hostAddress } : { kind: 'to-host' };
  // Connections from the host to its own address; loopback stays the host's (routing 127/8 out is a
  // martian). A forward limited to one host address never names loopback (portForwardProblems).
  const notLoopback: Match[] = forward.hostAddress ? [] : [{ kind: 'not-to', cidr: LOOPBACK }];
  return {
    prerouting: { matches: [destination, hostPort], action: dnat },
    output: { matches: [destination, ...notLoopback, hostPort], action: dnat },
    // A guest reaching another guest through the host's address must see the reply come from the host.
    postrouting: { matches: [out, { kind: 'from', cidr: forward.subnet }, toGuest, guestPort, { kind: 'translated' }], action: { kind: 'masquerade' } },
    accept: { matches: [out, toGuest, guestPort, { kind: 'translated' }], action: { kind: 'accept' } },
  };
}

function nftMatch(match: Match): string {
  switch (match.kind) {
    case 'to-host':
      return 'fib daddr type local';
    case 'to':
      return `ip daddr ${match.address}`;
    case 'not-to':
      return `ip daddr != ${match.cidr}`;
    case 'from':
      return `ip saddr ${match.cidr}`;
    case 'out':
      return `oifname "${match.bridge}"`;
    case 'port':
      return `${match.protocol} dport ${match.port}`;
    case 'translated':
      return 'ct status dnat';
  }
}

function nftAction(action: Action): string {
  switch (action.kind) {
    case 'dnat':
      return `dnat to ${action.to}`;
    case 'masquerade':
      return 'masquerade';
    case 'accept':
      // Only the accepts live in libvirt's table: counted, and commented so a re-apply finds them.
      return `counter accept comment "${SWITCHYARD_RULE_COMMENT}"`;
  }
}

/** A rule in nft's syntax. */
export function nftRule(rule: NeutralRule): string {
  return [...rule.matches.map(nftMatch), nftAction(rule.action)].join(' ');
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
  const rules = spec.forwards.map(forwardRules);
  if (libvirtChain) {
    const chain = `ip ${LIBVIRT_NFT_TABLE} ${LIBVIRT_NFT_INPUT_CHAIN}`;
    lines.push(...libvirtChain.staleHandles.map((handle) => `delete rule ${chain} handle ${handle}`));
    lines.push(...rules.map((forward) => `insert rule ${chain} ${nftRule(forward.accept)}`));
  }
  if (spec.forwards.length === 0) return `${lines.join('\n')}\n`;
  const chain = (hook: 'prerouting' | 'output' | 'postrouting', priority: number) => [
    `\tchain ${hook} {`,
    `\t\ttype nat hook ${hook} priority ${priority}; policy accept;`,
    ...rules.map((forward) => `\t\t${nftRule(forward[hook])}`),
    '\t}',
  ];
  lines.push(
    `table ip ${SWITCHYARD_TABLE} {`,
    ...chain('prerouting', DSTNAT_PRIORITY),
    ...chain('output', DSTNAT_PRIORITY),
    ...chain('postrouting', SRCNAT_PRIORITY),
    '}',
  );
  return `${lines.join('\n')}\n`;
}

/** iptables-save's order of options, so a rule reads back as it was written. */
const IPTABLES_ORDER: readonly Match['kind'][] = ['from', 'to', 'not-to', 'out', 'port', 'to-host', 'translated'];

function iptablesMatch(match: Match): string {
  switch (match.kind) {
    case 'to-host':
      return '-m addrtype --dst-type LOCAL';
    case 'to':
      return `-d ${match.address.includes('/') ? match.address : `${match.address}/32`}`;
    case 'not-to':
      return `! -d ${match.cidr}`;
    case 'from':
      return `-s ${match.cidr}`;
    case 'out':
      return `-o ${match.bridge}`;
    case 'port':
      return `-p ${match.protocol} -m ${match.protocol} --dport ${match.port}`;
    case 'translated':
      return '-m conntrack --ctstate DNAT';
  }
}

function iptablesTarget(action: Action): string {
  switch (action.kind) {
    case 'dnat':
      return `-j DNAT --to-destination ${action.to}`;
    case 'masquerade':
      return '-j MASQUERADE';
    case 'accept':
      return '-j ACCEPT';
  }
}

/** A rule in iptables-save's syntax (without "-A CHAIN"), commented as Switchyard's. */
export function iptablesRule(rule: NeutralRule): string {
  const matches = [...rule.matches].sort((a, b) => IPTABLES_ORDER.indexOf(a.kind) - IPTABLES_ORDER.indexOf(b.kind));
  return [...matches.map(iptablesMatch), `-m comment --comment "${SWITCHYARD_RULE_COMMENT}"`, iptablesTarget(rule.action)].join(' ');
}

/** Switchyard's iptables chains: each one's table, the built-in chain that jumps to it first, and the hook it holds. */
export const SWITCHYARD_IPTABLES_CHAINS = [
  { table: 'nat', chain: 'SWITCHYARD_PRE', from: 'PREROUTING', hook: 'prerouting' },
  { table: 'nat', chain: 'SWITCHYARD_OUT', from: 'OUTPUT', hook: 'output' },
  { table: 'nat', chain: 'SWITCHYARD_POST', from: 'POSTROUTING', hook: 'postrouting' },
  { table: 'filter', chain: SWITCHYARD_FORWARD_CHAIN, from: 'FORWARD', hook: 'accept' },
] as const satisfies readonly { table: 'nat' | 'filter'; chain: string; from: string; hook: ForwardHook }[];

const SWITCHYARD_DNAT_CHAIN = SWITCHYARD_IPTABLES_CHAINS[0].chain;

export interface IptablesPlan {
  /** The `iptables-restore --noflush` input. */
  input: string;
  /** What it does, one line per chain. */
  done: string[];
}

/**
 * The `iptables-restore --noflush` input that fills Switchyard's chains of the `wanted` tables with
 * exactly the spec's rules, each jumped to once and first from its built-in chain, and removes our
 * chains from the other tables: one commit per table, so nothing is ever half applied, and no
 * other chain is touched. Declaring a chain creates or flushes it. `current` is `iptables-save`
 * output, which says which of our chains exist and how many jumps to each there are (re-inserting
 * the jump puts it back above the rules libvirt inserted first since). Undefined: nothing to do.
 */
export function iptablesRestorePlan(spec: FirewallSpec, current: string, wanted: { nat: boolean; filter: boolean }): IptablesPlan | undefined {
  const existing = new Set(parseIptablesChains(current).map(({ table, chain }) => `${table} ${chain}`));
  const rules = parseIptablesSave(current);
  const done: string[] = [];
  const sections = (['nat', 'filter'] as const).flatMap((table) => {
    const declare: string[] = [];
    const body: string[] = [];
    for (const { chain, from, hook } of SWITCHYARD_IPTABLES_CHAINS.filter((candidate) => candidate.table === table)) {
      const keep = wanted[table] && spec.forwards.length > 0;
      if (!keep && !existing.has(`${table} ${chain}`)) continue;
      const jumps = rules.filter((rule) => rule.table === table && rule.chain === from && rule.text === `-j ${chain}`).length;
      declare.push(`:${chain} - [0:0]`);
      if (keep) body.push(...spec.forwards.map((forward) => `-A ${chain} ${iptablesRule(forwardRules(forward)[hook])}`));
      body.push(...Array.from({ length: jumps }, () => `-D ${from} -j ${chain}`));
      body.push(keep ? `-I ${from} 1 -j ${chain}` : `-X ${chain}`);
      done.push(keep ? `iptables ${table}: ${chain} with ${spec.forwards.length} rule(s), first in ${from}` : `iptables ${table}: ${chain} removed`);
    }
    return declare.length > 0 ? [`*${table}`, ...declare, ...body, 'COMMIT'] : [];
  });
  return sections.length > 0 ? { input: `${sections.join('\n')}\n`, done } : undefined;
}

/** How many forwards Switchyard's DNAT chain holds in `iptables-save -t nat` output. */
export function countIptablesForwards(natSave: string): number {
  return parseIptablesSave(natSave).filter((rule) => rule.table === 'nat' && rule.chain === SWITCHYARD_DNAT_CHAIN && rule.target === 'DNAT').length;
}
