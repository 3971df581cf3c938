// The privileged half of port forwarding: applies a schema-checked spec as Switchyard's nftables
// table plus its accept chain in libvirt's iptables FORWARD, and reads the rules in effect back.
// Only generated text goes to nft and iptables-restore, on stdin; every program by absolute path.
import { SwitchyardError } from '../../shared/errors';
import type { FirewallReading, FirewallSpec } from '../../shared/helper-protocol';
import { parseNftJson } from '../../shared/firewall/nft-json';
import {
  forwardJumpCount,
  forwardJumpIsFirst,
  iptablesRestoreInput,
  LIBVIRT_NFT_INPUT_CHAIN,
  LIBVIRT_NFT_TABLE,
  nftScript,
  SWITCHYARD_RULE_COMMENT,
  type LibvirtNftChain,
  SWITCHYARD_FORWARD_CHAIN,
  SWITCHYARD_TABLE,
} from '../../shared/firewall/ruleset';
import { runChecked, type CommandRunner } from '../host/command-runner';
import type { Programs } from './privileged-operations';

function missing(program: string, debianPackage: string): SwitchyardError {
  return new SwitchyardError({
    code: 'missing-program',
    message: `${program} is not installed, so port forwards cannot be applied.`,
    hint: `Install it (Debian package ${debianPackage}). Switchyard's forwards need nftables, and iptables unless libvirt uses its nftables backend.`,
  });
}

/** Puts the jump to SWITCHYARD_FWD first in FORWARD, before libvirt's jumps to its reject rules. */
async function placeForwardJump(runner: CommandRunner, iptables: string): Promise<void> {
  const listing = await runChecked(runner, iptables, ['-w', '-S', 'FORWARD']);
  if (forwardJumpIsFirst(listing)) return;
  for (let count = forwardJumpCount(listing); count > 0; count -= 1) {
    await runChecked(runner, iptables, ['-w', '-D', 'FORWARD', '-j', SWITCHYARD_FORWARD_CHAIN]);
  }
  await runChecked(runner, iptables, ['-w', '-I', 'FORWARD', '1', '-j', SWITCHYARD_FORWARD_CHAIN]);
}

/** Removes the accept chain and its jump once no forward is left. */
async function removeForwardChain(runner: CommandRunner, iptables: string): Promise<boolean> {
  const exists = (await runner.run(iptables, ['-w', '-S', SWITCHYARD_FORWARD_CHAIN])).code === 0;
  if (!exists) return false;
  const listing = await runChecked(runner, iptables, ['-w', '-S', 'FORWARD']);
  for (let count = forwardJumpCount(listing); count > 0; count -= 1) {
    await runChecked(runner, iptables, ['-w', '-D', 'FORWARD', '-j', SWITCHYARD_FORWARD_CHAIN]);
  }
  await runChecked(runner, iptables, ['-w', '-F', SWITCHYARD_FORWARD_CHAIN]);
  await runChecked(runner, iptables, ['-w', '-X', SWITCHYARD_FORWARD_CHAIN]);
  return true;
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

/** Replaces Switchyard's forwards with the spec's; answers what it did and how many rules the kernel shows. */
export async function applyFirewall(runner: CommandRunner, programs: Programs, spec: FirewallSpec): Promise<{ done: string[]; rules: number }> {
  const { nft, iptables, iptablesRestore } = programs;
  if (!nft) throw missing('nft', 'nftables');
  const libvirtChain = await readLibvirtNftChain(runner, nft);
  // Neither of libvirt's backends to put the accept into: the forward would stay rejected.
  if (spec.forwards.length > 0 && !libvirtChain && (!iptables || !iptablesRestore)) throw missing('iptables', 'iptables');
  const done: string[] = [];
  await runChecked(runner, nft, ['-f', '-'], { input: nftScript(spec, libvirtChain) });
  done.push(spec.forwards.length > 0 ? `nft: table ip ${SWITCHYARD_TABLE} with ${spec.forwards.length} forward(s)` : `nft: table ip ${SWITCHYARD_TABLE} removed`);
  if (libvirtChain) done.push(`nft: ${spec.forwards.length} accept(s) first in ${LIBVIRT_NFT_TABLE} ${LIBVIRT_NFT_INPUT_CHAIN}`);
  if (iptables && iptablesRestore) {
    // With libvirt's nftables backend the accepts went into its table; iptables only loses what an earlier backend left.
    if (spec.forwards.length > 0 && !libvirtChain) {
      await runChecked(runner, iptablesRestore, ['-w', '--noflush'], { input: iptablesRestoreInput(spec) });
      await placeForwardJump(runner, iptables);
      done.push(`iptables: ${SWITCHYARD_FORWARD_CHAIN} accepts ${spec.forwards.length} forward(s), first in FORWARD`);
    } else if (await removeForwardChain(runner, iptables)) {
      done.push(`iptables: ${SWITCHYARD_FORWARD_CHAIN} removed`);
    }
  }
  const rules = await countAppliedForwards(runner, nft);
  if (rules !== spec.forwards.length) {
    throw new SwitchyardError({
      code: 'apply-failed',
      message: `nft accepted the rules, but the kernel shows ${rules} forward(s) instead of ${spec.forwards.length}.`,
      hint: 'Another program may be rewriting the firewall (firewalld reloading?); try again.',
    });
  }
  return { done, rules };
}

/** The rules in effect, as iptables-save and nft print them. */
export async function readFirewall(runner: CommandRunner, programs: Programs): Promise<FirewallReading> {
  const problems: string[] = [];
  const read = async (program: string | undefined, name: string, args: string[]) => {
    if (!program) {
      problems.push(`${name} is not installed.`);
      return undefined;
    }
    const result = await runner.run(program, args);
    if (result.code === 0) return result.stdout;
    problems.push(`${name} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    return undefined;
  };
  const [iptablesSave, nftRuleset] = await Promise.all([
    read(programs.iptablesSave, 'iptables-save', []),
    read(programs.nft, 'nft', ['-j', 'list', 'ruleset']),
  ]);
  return { ...(iptablesSave !== undefined ? { iptablesSave } : {}), ...(nftRuleset !== undefined ? { nftRuleset } : {}), problems };
}
