// Reads `nft -j list ruleset` / `nft -j list table` output: tables, chains and rules, each rule
// rendered back to nft's own text form for display ("oifname "virbr0" tcp dport 80 accept").
// Only what Switchyard's and libvirt's rules use is rendered in detail; anything else keeps its
// expression name, so an unknown rule still shows up instead of vanishing.

export interface NftChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  priority?: number;
  policy?: string;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle?: number;
  /** The rule in nft syntax, counters left out. */
  text: string;
  comment?: string;
}

export interface NftRuleset {
  tables: { family: string; name: string }[];
  chains: NftChain[];
  rules: NftRule[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: Json | undefined): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function renderValue(value: Json | undefined): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(renderValue).join(',');
  if (!isObject(value)) return '';
  if (isObject(value.prefix)) return `${text(value.prefix.addr)}/${text(value.prefix.len)}`;
  if (Array.isArray(value.range)) return value.range.map(renderValue).join('-');
  if (Array.isArray(value.set)) return `{ ${value.set.map(renderValue).join(', ')} }`;
  return renderOperand(value);
}

function renderOperand(value: Json | undefined): string {
  if (!isObject(value)) return renderValue(value);
  if (isObject(value.meta)) return text(value.meta.key);
  if (isObject(value.payload)) return `${text(value.payload.protocol)} ${text(value.payload.field)}`;
  if (isObject(value.ct)) return `ct ${text(value.ct.key)}`;
  if (isObject(value.fib)) {
    const flags = Array.isArray(value.fib.flags) ? value.fib.flags.map(text).join(' . ') : '';
    return `fib ${flags} ${text(value.fib.result)}`.replace(/\s+/g, ' ');
  }
  return Object.keys(value)[0] ?? '';
}

function renderNatTarget(verb: string, value: Json | undefined): string {
  if (!isObject(value)) return verb;
  const address = value.addr !== undefined ? renderValue(value.addr) : '';
  const port = value.port !== undefined ? renderValue(value.port) : '';
  if (!address && !port) return verb;
  return `${verb} to ${address}${port ? `:${port}` : ''}`;
}

function renderStatement(statement: Json): string | undefined {
  if (!isObject(statement)) return undefined;
  const [kind] = Object.keys(statement);
  if (kind === undefined) return undefined;
  const body = statement[kind];
  switch (kind) {
    case 'match': {
      if (!isObject(body)) return undefined;
      const op = text(body.op);
      const shownOp = op === '==' || op === 'in' ? '' : ` ${op}`;
      // nft quotes interface names; the firewall view finds a network's rules by its quoted bridge.
      const quoted = isObject(body.left) && isObject(body.left.meta) && typeof body.right === 'string' && /^[io]if(name)?$/.test(text(body.left.meta.key));
      return `${renderOperand(body.left)}${shownOp} ${quoted ? `"${text(body.right)}"` : renderValue(body.right)}`;
    }
    case 'counter':
      return undefined;
    case 'jump':
    case 'goto':
      return isObject(body) ? `${kind} ${text(body.target)}` : kind;
    case 'dnat':
    case 'snat':
    case 'masquerade':
      return renderNatTarget(kind, body);
    case 'xt':
      return isObject(body) ? `xt ${text(body.type)} ${text(body.name)}` : kind;
    default:
      return kind;
  }
}

/** Tables, chains and rules of `nft -j list ...` output; throws on text that is not nft JSON. */
export function parseNftJson(output: string): NftRuleset {
  let parsed: Json;
  try {
    parsed = JSON.parse(output) as Json;
  } catch {
    throw new Error('The nft output is not JSON; nftables 0.9 or later prints JSON with -j.');
  }
  const items = isObject(parsed) && Array.isArray(parsed.nftables) ? parsed.nftables : undefined;
  if (!items) throw new Error('This is not `nft -j` output: it has no "nftables" list.');
  const ruleset: NftRuleset = { tables: [], chains: [], rules: [] };
  for (const item of items) {
    if (!isObject(item)) continue;
    if (isObject(item.table)) ruleset.tables.push({ family: text(item.table.family), name: text(item.table.name) });
    if (isObject(item.chain)) {
      const chain = item.chain;
      ruleset.chains.push({
        family: text(chain.family),
        table: text(chain.table),
        name: text(chain.name),
        ...(typeof chain.hook === 'string' ? { hook: chain.hook } : {}),
        ...(typeof chain.prio === 'number' ? { priority: chain.prio } : {}),
        ...(typeof chain.policy === 'string' ? { policy: chain.policy } : {}),
      });
    }
    if (isObject(item.rule)) {
      const rule = item.rule;
      const statements = Array.isArray(rule.expr) ? rule.expr : [];
      ruleset.rules.push({
        family: text(rule.family),
        table: text(rule.table),
        chain: text(rule.chain),
        ...(typeof rule.handle === 'number' ? { handle: rule.handle } : {}),
        text: statements.map(renderStatement).filter((part): part is string => Boolean(part)).join(' '),
        ...(typeof rule.comment === 'string' ? { comment: rule.comment } : {}),
      });
    }
  }
  return ruleset;
}
