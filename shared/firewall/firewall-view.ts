// The firewall view: for one network, the rules in effect that concern it — libvirt's (from its
// iptables chains or its nftables table), Switchyard's own and anyone else's — grouped by the
// traffic they govern and each explained in plain words.
import { z } from 'zod';
import { cidrContains, formatCidr, parseCidr, parseIpAddress, subnetOf } from '../address';
import type { FirewallReading } from '../helper-protocol';
import type { Network } from '../model';
import { parseIptablesSave, type IptablesRule } from './iptables-save';
import { parseNftJson, type NftRule } from './nft-json';
import { LIBVIRT_NFT_TABLE, SWITCHYARD_IPTABLES_CHAINS, SWITCHYARD_RULE_COMMENT, SWITCHYARD_TABLE, type ForwardHook } from './ruleset';

export const FirewallGroupIdSchema = z.enum(['out', 'in', 'forward', 'cross', 'host', 'nat', 'fixup', 'other']);
export type FirewallGroupId = z.infer<typeof FirewallGroupIdSchema>;

export const FirewallRuleViewSchema = z.object({
  owner: z.enum(['libvirt', 'switchyard', 'other']),
  /** Where it lives: "iptables filter LIBVIRT_FWI", "nft ip switchyard prerouting". */
  location: z.string(),
  /** The rule as the tool prints it. */
  rule: z.string(),
  meaning: z.string(),
});
export type FirewallRuleView = z.infer<typeof FirewallRuleViewSchema>;

export const FirewallGroupSchema = z.object({
  id: FirewallGroupIdSchema,
  title: z.string(),
  /** The group's rules in one or two sentences. */
  summary: z.string(),
  rules: z.array(FirewallRuleViewSchema),
});
export type FirewallGroup = z.infer<typeof FirewallGroupSchema>;

export const FirewallViewSchema = z.object({
  network: z.string(),
  /** Which of libvirt's firewall backends holds its rules, as far as the rules show. */
  backend: z.enum(['iptables', 'nftables', 'none']),
  groups: z.array(FirewallGroupSchema),
  /** Readings that failed (a missing program), shown above the rules. */
  problems: z.array(z.string()),
});
export type FirewallView = z.infer<typeof FirewallViewSchema>;

const GROUP_TITLES: Record<FirewallGroupId, string> = {
  out: 'Guests → outside',
  in: 'Outside → guests',
  forward: 'Port forwards',
  cross: 'Between guests',
  host: 'Guests ↔ the host',
  nat: 'Address translation',
  fixup: 'Packet fix-ups',
  other: 'Other rules',
};

interface Explained {
  group: FirewallGroupId;
  meaning: string;
}

const SERVICE_PORTS: Record<string, string> = {
  '53': 'DNS',
  '67': 'DHCP',
  '68': 'DHCP replies',
  '69': 'TFTP',
  '546': 'DHCPv6 replies',
  '547': 'DHCPv6',
};

function portRange(text: string | undefined): string {
  return (text ?? '').replace(/^:/, '').replace('-', '–');
}

// What Switchyard's rules mean, in the same words whichever tool holds them.
function forwardMeaning(fromHost: boolean, protocol: string, hostPort: string, hostAddress: string | undefined, guest: string): Explained {
  const port = `port ${hostPort}/${protocol}`;
  if (fromHost) return { group: 'forward', meaning: `The host itself reaches ${guest} at its own ${port} too.` };
  return { group: 'forward', meaning: `Connections to ${port} on ${hostAddress ?? 'any of the host’s addresses'} go to ${guest}.` };
}

function hairpinMeaning(guestIp: string | undefined): Explained {
  return { group: 'forward', meaning: `Guests reaching ${guestIp ?? 'a forwarded guest'} through the host are masqueraded, so replies return through the host.` };
}

function acceptMeaning(guestIp: string | undefined, port: string | undefined, protocol: string | undefined): Explained {
  return { group: 'in', meaning: `Switchyard lets forwarded connections to ${guestIp} port ${port}/${protocol} in.` };
}

/** Switchyard's iptables chain of that name, with the hook it holds. */
function switchyardChain(chain: string) {
  return SWITCHYARD_IPTABLES_CHAINS.find((candidate) => candidate.chain === chain);
}

/** A rule in one of Switchyard's iptables chains (iptables-only hosts, and the accepts). */
function explainOwnIptables(rule: IptablesRule, hook: ForwardHook): Explained {
  const address = rule.destination?.replace(/\/32$/, '');
  if (hook === 'accept') return acceptMeaning(address, rule.destinationPort, rule.protocol);
  if (hook === 'postrouting') return hairpinMeaning(address);
  // A DNAT rule's destination is the host address it is limited to; "! -d 127.0.0.0/8" means any.
  return forwardMeaning(hook === 'output', rule.protocol ?? 'any', rule.destinationPort ?? 'any', rule.destinationNegated ? undefined : address, rule.toPorts ?? '?');
}

function explainIptables(rule: IptablesRule, bridge: string): Explained {
  const { chain, target } = rule;
  const ours = switchyardChain(chain);
  if (ours) return explainOwnIptables(rule, ours.hook);
  const service = `${SERVICE_PORTS[rule.destinationPort ?? ''] ?? 'port'} (${rule.destinationPort ?? 'any'}/${rule.protocol ?? 'any'})`;
  if (rule.table === 'mangle' && target === 'CHECKSUM') {
    return { group: 'fixup', meaning: 'DHCP replies to guests get their UDP checksum filled in, for old DHCP clients.' };
  }
  if (rule.table === 'nat') {
    if (target === 'RETURN') {
      return { group: 'nat', meaning: `Traffic to ${rule.destination === '255.255.255.255/32' ? 'the broadcast address' : `${rule.destination} (multicast)`} stays untranslated.` };
    }
    if (target === 'MASQUERADE' || target === 'SNAT') {
      const to = target === 'SNAT' ? `translated to ${rule.toPorts}` : `masqueraded to the host's address${rule.toPorts ? `, ports ${portRange(rule.toPorts)}` : ''}`;
      const what = rule.protocol ? `${rule.protocol.toUpperCase()} leaving the network` : 'Other traffic leaving the network';
      return { group: 'nat', meaning: `${what}${rule.outInterface ? ` through ${rule.outInterface}` : ''} is ${to}.` };
    }
  }
  const accepts = target === 'ACCEPT';
  const refuses = target === 'REJECT' || target === 'DROP';
  if (chain === 'LIBVIRT_INP' && accepts) return { group: 'host', meaning: `Guests may ask the host for ${service}.` };
  if (chain === 'LIBVIRT_OUT' && accepts) return { group: 'host', meaning: `The host may send ${service} to guests.` };
  if (chain === 'LIBVIRT_FWX' && accepts) return { group: 'cross', meaning: 'Guests may talk to each other.' };
  if (chain === 'LIBVIRT_FWO') {
    if (accepts) return { group: 'out', meaning: `Guests may reach anything outside${rule.outInterface ? ` through ${rule.outInterface}` : ''}.` };
    if (refuses) return { group: 'out', meaning: 'Anything else guests send out (other source addresses) is refused.' };
  }
  if (chain === 'LIBVIRT_FWI') {
    if (accepts && rule.ctstate) return { group: 'in', meaning: 'Replies to the guests’ own connections are allowed back in.' };
    if (accepts) return { group: 'in', meaning: 'Anyone may reach the guests (routed, no NAT).' };
    if (refuses) return { group: 'in', meaning: 'Nothing else from outside may start a connection to a guest.' };
  }
  const towards = rule.outInterface === bridge ? 'into the network' : 'from the network';
  if (accepts) return { group: 'other', meaning: `A rule outside libvirt and Switchyard accepts this traffic ${towards}.` };
  if (refuses) return { group: 'other', meaning: `A rule outside libvirt and Switchyard refuses this traffic ${towards}.` };
  return { group: 'other', meaning: `A rule outside libvirt and Switchyard (target ${target ?? 'none'}).` };
}

function explainNft(rule: NftRule): Explained {
  const { chain, text } = rule;
  const ports = /(tcp|udp) dport (\d+)/.exec(text);
  const dnat = /dnat to ([\d.]+):(\d+)/.exec(text);
  if (rule.table === SWITCHYARD_TABLE && dnat && ports) {
    return forwardMeaning(chain === 'output', ports[1]!, ports[2]!, /ip daddr ([\d.]+)/.exec(text)?.[1], `${dnat[1]}:${dnat[2]}`);
  }
  if (rule.table === SWITCHYARD_TABLE && text.includes('masquerade')) return hairpinMeaning(/ip daddr ([\d.]+)/.exec(text)?.[1]);
  const accepts = /\baccept$/.test(text);
  const refuses = /\b(reject|drop)$/.test(text);
  if (chain === 'guest_output') return accepts ? { group: 'out', meaning: 'Guests may reach anything outside.' } : { group: 'out', meaning: 'Anything else guests send out is refused.' };
  if (chain === 'guest_input') {
    if (accepts && text.includes('ct state')) return { group: 'in', meaning: 'Replies to the guests’ own connections are allowed back in.' };
    const guest = /ip daddr ([\d.]+) (tcp|udp) dport (\d+)/.exec(text);
    if (accepts && text.includes('ct status dnat') && guest) return acceptMeaning(guest[1], guest[3], guest[2]);
    if (accepts) return { group: 'in', meaning: 'Anyone may reach the guests (routed, no NAT).' };
    return { group: 'in', meaning: 'Nothing else from outside may start a connection to a guest.' };
  }
  if (chain === 'guest_cross') return { group: 'cross', meaning: 'Guests may talk to each other.' };
  if (chain === 'guest_nat') {
    if (text.endsWith('return')) return { group: 'nat', meaning: `Traffic to ${/ip6? daddr (\S+)/.exec(text)?.[1] ?? 'multicast'} stays untranslated.` };
    const range = /masquerade to :(\S+)/.exec(text)?.[1];
    const protocol = /l4proto (\w+)/.exec(text)?.[1];
    return { group: 'nat', meaning: `${protocol ? `${protocol.toUpperCase()} leaving the network` : 'Other traffic leaving the network'} is masqueraded to the host's address${range ? `, ports ${portRange(range)}` : ''}.` };
  }
  if (chain === 'postroute_mangle') return { group: 'fixup', meaning: 'DHCP replies to guests get their UDP checksum fixed, for old DHCP clients.' };
  if (accepts) return { group: 'other', meaning: 'A rule outside libvirt and Switchyard accepts this traffic.' };
  if (refuses) return { group: 'other', meaning: 'A rule outside libvirt and Switchyard refuses this traffic.' };
  return { group: 'other', meaning: 'A rule outside libvirt and Switchyard.' };
}

/** True when `text` is an IPv4 address or CIDR inside one of `subnets`. */
function inSubnets(text: string | undefined, subnets: readonly string[]): boolean {
  if (!text) return false;
  const address = parseIpAddress(text.split('/')[0] ?? '');
  const prefix = Number(text.split('/')[1] ?? 32);
  return subnets.some((subnet) => {
    const cidr = parseCidr(subnet);
    return Boolean(cidr && address && prefix >= cidr.prefix && cidrContains(cidr, address));
  });
}

function ownerOfChain(chain: string): FirewallRuleView['owner'] {
  if (switchyardChain(chain)) return 'switchyard';
  return chain.startsWith('LIBVIRT_') ? 'libvirt' : 'other';
}

/** IPv4 subnets of the network as CIDRs ("192.168.122.0/24"). */
function networkSubnets(network: Network): string[] {
  return network.ips.flatMap((ip) => {
    const subnet = ip.family === 'ipv4' ? subnetOf(ip.address, ip.prefix) : undefined;
    return subnet ? [formatCidr(subnet)] : [];
  });
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * A group's rules in a few sentences: the meanings, with the ones that differ only in protocol,
 * service or destination merged ("Guests may ask the host for DNS and DHCP.").
 */
function summarize(meanings: readonly string[]): string[] {
  const sentences: string[] = [];
  const merged = new Map<string, { words: string[]; sentence: (words: string[]) => string }>();
  const merge = (key: string, word: string, sentence: (words: string[]) => string) => {
    const entry = merged.get(key) ?? { words: [], sentence };
    if (!entry.words.includes(word)) entry.words.push(word);
    if (!merged.has(key)) {
      merged.set(key, entry);
      sentences.push(key);
    }
  };
  for (const meaning of meanings) {
    const asks = /^Guests may ask the host for (.+?) \(/.exec(meaning);
    const sends = /^The host may send (.+?) \(/.exec(meaning);
    const masquerade = /^(TCP|UDP|Other traffic) leaving the network( through \S+)? is masqueraded to the host's address(?:, ports (.+))?\.$/.exec(meaning);
    const untranslated = /^Traffic to (the broadcast address|\S+ \(multicast\)) stays untranslated\.$/.exec(meaning);
    const accepts = /^Switchyard lets forwarded connections to (.+) in\.$/.exec(meaning);
    if (asks) merge('asks', asks[1]!, (words) => `Guests may ask the host for ${joinWords(words)}.`);
    else if (sends) merge('sends', sends[1]!, (words) => `The host may send ${joinWords(words)} to guests.`);
    else if (masquerade) {
      const ports = masquerade[3] ? ` (TCP and UDP from ports ${masquerade[3]})` : '';
      merge(`masquerade${masquerade[2] ?? ''}`, ports, (words) => `Traffic leaving the network${masquerade[2] ?? ''} is masqueraded to the host's address${words.find(Boolean) ?? ''}.`);
    } else if (untranslated) merge('untranslated', untranslated[1]!.includes('multicast') ? 'multicast' : 'broadcast', (words) => `${joinWords(words).replace(/^./, (c) => c.toUpperCase())} traffic stays untranslated.`);
    else if (accepts) merge('accepts', accepts[1]!, (words) => `Switchyard lets forwarded connections to ${joinWords(words)} in.`);
    else sentences.push(meaning);
  }
  return sentences.map((sentence) => {
    const entry = merged.get(sentence);
    return entry ? entry.sentence(entry.words) : sentence;
  });
}

/** The view of one network's rules from what the host's firewall tools printed. */
export function buildFirewallView(network: Network, reading: FirewallReading): FirewallView {
  const bridge = network.bridge?.name ?? '';
  const subnets = networkSubnets(network);
  const problems = [...reading.problems];
  const rules: (FirewallRuleView & { group: FirewallGroupId })[] = [];
  let backend: FirewallView['backend'] = 'none';

  if (reading.iptablesSave !== undefined) {
    // iptables-save lists chains alphabetically; ours read better in the order packets meet them.
    const hookOrder = (rule: IptablesRule) => SWITCHYARD_IPTABLES_CHAINS.findIndex((candidate) => candidate.chain === rule.chain);
    const parsed = parseIptablesSave(reading.iptablesSave).sort((a, b) => hookOrder(a) - hookOrder(b));
    if (parsed.some((rule) => rule.chain.startsWith('LIBVIRT_'))) backend = 'iptables';
    for (const rule of parsed) {
      const concerns =
        (bridge !== '' && (rule.inInterface === bridge || rule.outInterface === bridge)) ||
        inSubnets(rule.source, subnets) ||
        inSubnets(rule.destination, subnets) ||
        (rule.target === 'DNAT' && inSubnets(rule.toPorts?.split(':')[0], subnets));
      if (!concerns) continue;
      const explained = explainIptables(rule, bridge);
      rules.push({
        group: explained.group,
        owner: ownerOfChain(rule.chain),
        location: `iptables ${rule.table} ${rule.chain}`,
        rule: rule.text,
        meaning: explained.meaning,
      });
    }
  }

  if (reading.nftRuleset !== undefined) {
    try {
      const ruleset = parseNftJson(reading.nftRuleset);
      if (ruleset.tables.some((table) => table.name === LIBVIRT_NFT_TABLE)) backend = 'nftables';
      // iptables-nft's tables ("filter", "nat", …) were read above in iptables' own words.
      const managedByIptables = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);
      for (const rule of ruleset.rules) {
        if (rule.family !== 'ip' || managedByIptables.has(rule.table)) continue;
        const addresses = [...rule.text.matchAll(/\d+\.\d+\.\d+\.\d+(\/\d+)?/g)].map((match) => match[0]);
        const concerns = (bridge !== '' && rule.text.includes(`"${bridge}"`)) || addresses.some((address) => inSubnets(address, subnets));
        if (!concerns) continue;
        const explained = explainNft(rule);
        rules.push({
          group: explained.group,
          owner:
            rule.table === SWITCHYARD_TABLE || rule.comment === SWITCHYARD_RULE_COMMENT ? 'switchyard' : rule.table === LIBVIRT_NFT_TABLE ? 'libvirt' : 'other',
          location: `nft ${rule.family} ${rule.table} ${rule.chain}`,
          rule: rule.text,
          meaning: explained.meaning,
        });
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  const groups = FirewallGroupIdSchema.options.flatMap((id) => {
    const members = rules.filter((rule) => rule.group === id).map(({ group: _group, ...rule }) => rule);
    if (members.length === 0) return [];
    const summary = summarize([...new Set(members.map((rule) => rule.meaning))]).join(' ');
    return [{ id, title: GROUP_TITLES[id], summary, rules: members }];
  });
  return { network: network.name, backend, groups, problems };
}
