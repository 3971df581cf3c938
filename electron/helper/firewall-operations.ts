// The privileged half of port forwarding: applies a schema-checked spec as Switchyard's nftables
// table, or — where nft is missing — as Switchyard's chains in iptables' nat table, plus the accept
// that lets forwarded connections past libvirt's reject, and reads the rules in effect back.
// Only generated text goes to nft and iptables-restore, on stdin; every program by absolute path.
import { SwitchyardError } from '../../shared/errors';
import type { FirewallReading, FirewallSpec } from '../../shared/helper-protocol';
import { parseNftJson } from '../../shared/firewall/nft-json';
import {
  countIptablesForwards,
  iptablesRestorePlan,
  LIBVIRT_NFT_INPUT_CHAIN,
  LIBVIRT_NFT_TABLE,
  nftScript,
  SWITCHYARD_RULE_COMMENT,
  type LibvirtNftChain,
  SWITCHYARD_TABLE,
} from '../../shared/firewall/ruleset';
import { runChecked, type CommandRunner } from '../host/command-runner';
import type { Programs } from './privileged-operations';

function missing(what: string, debianPackages: string): SwitchyardError {
  return new SwitchyardError({
    code: 'missing-program',
    message: `${what}, so port forwards cannot be applied.`,
    hint: `Install ${debianPackages}. Switchyard's forwards use nftables, or iptables where nft is missing; with libvirt's iptables backend they need iptables too.`,
  });
}

/** DNAT rules in Switchyard's table as the kernel has it (0 when the table does not exist). */
async function countAppliedForwards(runner: CommandRunner, nft: string): Promise<number> {
  const result = await runner.run(nft, ['-j', 'list', 'table', 'ip', SWITCHYARD_TABLE]);
  if (result.code !== 0) return 0;
  return parseNftJson(result.stdout).rules.filter((rule) => rule.chain === 'prerouting' && rule.text.includes('dnat to')).length;
}

/** libvirt's nftables guest_input chain with the handles of our accepts in it; undefined without that backend. */
async function readLibvirtNftChain(runner: CommandRunner, nft: string): Promise<LibvirtNftChain | undefined> {
  const result = await runner.run(nft, ['-j', 'list', 'chain', 'ip', LIBVIRT_NFT_TABLE, LIBVIRT_NFT_INPUT_CHAIN]);
  if (result.code !== 0) return undefined;
  const ours = parseNftJson(result.stdout).rules.filter((rule) => rule.comment === SWITCHYARD_RULE_COMMENT);
  return { staleHandles: ours.flatMap((rule) => (rule.handle === undefined ? [] : [rule.handle])) };
}

/**
 * Replaces Switchyard's forwards with the spec's; answers what it did and how many forwards the
 * kernel shows. With nft: Switchyard's table, and the accepts in libvirt's nftables table or in
 * SWITCHYARD_FWD for its iptables backend. Without nft (libvirt then uses iptables too): DNAT and
 * hairpin masquerade in Switchyard's nat chains, accepts in SWITCHYARD_FWD. Either way, iptables
 * chains of ours the current mode does not use are removed, so a change of mode leaves nothing.
 */
export async function applyFirewall(runner: CommandRunner, programs: Programs, spec: FirewallSpec): Promise<{ done: string[]; rules: number }> {
  const { nft, iptablesRestore, iptablesSave } = programs;
  const iptables = iptablesRestore && iptablesSave ? { restore: iptablesRestore, save: iptablesSave } : undefined;
  if (!nft && !iptables) throw missing('Neither nft nor iptables-restore and iptables-save is installed', 'nftables (or iptables)');
  const libvirtChain = nft ? await readLibvirtNftChain(runner, nft) : undefined;
  // Neither of libvirt's backends to put the accept into: the forward would stay rejected.
  if (spec.forwards.length > 0 && !libvirtChain && !iptables) throw missing('iptables-restore and iptables-save are not installed', 'iptables');
  const done: string[] = [];
  if (nft) {
    await runChecked(runner, nft, ['-f', '-'], { input: nftScript(spec, libvirtChain) });
    done.push(spec.forwards.length > 0 ? `nft: table ip ${SWITCHYARD_TABLE} with ${spec.forwards.length} forward(s)` : `nft: table ip ${SWITCHYARD_TABLE} removed`);
    if (libvirtChain) done.push(`nft: ${spec.forwards.length} accept(s) first in ${LIBVIRT_NFT_TABLE} ${LIBVIRT_NFT_INPUT_CHAIN}`);
  }
  if (iptables) {
    const plan = iptablesRestorePlan(spec, await runChecked(runner, iptables.save, []), { nat: !nft, filter: !libvirtChain });
    if (plan) {
      await runChecked(runner, iptables.restore, ['-w', '--noflush'], { input: plan.input });
      done.push(...plan.done);
    }
  }
  const rules = nft ? await countAppliedForwards(runner, nft) : countIptablesForwards(await runChecked(runner, iptables!.save, ['-t', 'nat']));
  if (rules !== spec.forwards.length) {
    throw new SwitchyardError({
      code: 'apply-failed',
      message: `${nft ? 'nft' : 'iptables-restore'} accepted the rules, but the kernel shows ${rules} forward(s) instead of ${spec.forwards.length}.`,
      hint: 'Another program may be rewriting the firewall (firewalld reloading?); try again.',
    });
  }
  return { done, rules };
}

/** The rules in effect, as iptables-save and nft print them. */
export async function readFirewall(runner: CommandRunner, programs: Programs): Promise<FirewallReading> {
  const problems: string[] = [];
  const read = async (program: string | undefined, name: string, args: string[], needed = true) => {
    if (!program) {
      if (needed) problems.push(`${name} is not installed.`);
      return undefined;
    }
    const result = await runner.run(program, args);
    if (result.code === 0) return result.stdout;
    problems.push(`${name} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    return undefined;
  };
  const [iptablesSave, nftRuleset] = await Promise.all([
    read(programs.iptablesSave, 'iptables-save', []),
    // Without nft, libvirt and Switchyard both use iptables: nothing is missing from the view.
    read(programs.nft, 'nft', ['-j', 'list', 'ruleset'], !programs.iptablesSave),
  ]);
  return { ...(iptablesSave !== undefined ? { iptablesSave } : {}), ...(nftRuleset !== undefined ? { nftRuleset } : {}), problems };
}
