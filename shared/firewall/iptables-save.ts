// Parses `iptables-save` output into rules with their matches, so the firewall view can pick the
// rules that concern one network and say what each does.

export interface IptablesRule {
  table: string;
  chain: string;
  /** The rule as iptables-save prints it, without "-A CHAIN". */
  text: string;
  inInterface?: string;
  outInterface?: string;
  source?: string;
  sourceNegated?: boolean;
  destination?: string;
  destinationNegated?: boolean;
  protocol?: string;
  destinationPort?: string;
  ctstate?: string;
  comment?: string;
  /** -j target: ACCEPT, REJECT, MASQUERADE, a chain… */
  target?: string;
  /** --to-ports / --to-destination / --to-source of a NAT target. */
  toPorts?: string;
}

/** Splits a rule into tokens, keeping "quoted words" (comments) whole. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    tokens.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  }
  return tokens;
}

function parseRule(table: string, chain: string, text: string): IptablesRule {
  const rule: IptablesRule = { table, chain, text };
  const tokens = tokenize(text);
  let negate = false;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const value = tokens[index + 1];
    if (token === '!') {
      negate = true;
      continue;
    }
    const take = (): string | undefined => {
      index += 1;
      return value;
    };
    switch (token) {
      case '-i':
        rule.inInterface = take();
        break;
      case '-o':
        rule.outInterface = take();
        break;
      case '-s':
        rule.source = take();
        if (negate) rule.sourceNegated = true;
        break;
      case '-d':
        rule.destination = take();
        if (negate) rule.destinationNegated = true;
        break;
      case '-p':
        rule.protocol = take();
        break;
      case '--dport':
        rule.destinationPort = take();
        break;
      case '--ctstate':
        rule.ctstate = take();
        break;
      case '--comment':
        rule.comment = take();
        break;
      case '-j':
        rule.target = take();
        break;
      case '--to-ports':
      case '--to-destination':
      case '--to-source':
        rule.toPorts = take();
        break;
    }
    negate = false;
  }
  return rule;
}

/** Every "-A" rule of every table, in order. */
export function parseIptablesSave(output: string): IptablesRule[] {
  const rules: IptablesRule[] = [];
  let table = '';
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    const match = /^-A (\S+) ?(.*)$/.exec(line);
    if (match?.[1] && table) rules.push(parseRule(table, match[1], match[2] ?? ''));
  }
  return rules;
}

/** Every chain iptables-save declares (":NAME POLICY [packets:bytes]"), built-in or user-defined, by table. */
export function parseIptablesChains(output: string): { table: string; chain: string }[] {
  const chains: { table: string; chain: string }[] = [];
  let table = '';
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    const match = /^:(\S+) /.exec(line);
    if (match?.[1] && table) chains.push({ table, chain: match[1] });
  }
  return chains;
}
