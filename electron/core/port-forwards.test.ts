// The port-forward service with a fake privileged side: what it stores, when it applies which
// spec (adds, removes, networks stopping, starting and vanishing), and what it refuses.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SwitchyardError } from '../../shared/errors';
import type { HelperArguments, HelperOperation } from '../../shared/helper-protocol';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import type { Network, Snapshot } from '../../shared/model';
import labListeners from '../../shared/firewall/fixtures/lab-ss-listeners.txt?raw';
import type { CommandRunner } from '../host/command-runner';
import type { PrivilegedOperations } from '../helper/privileged-operations';
import { createCore, stateDirectory } from './bootstrap';
import { createHandlerTable, dispatchRequest } from './handlers';
import { PORT_FORWARDS_FILE, PortForwards } from './port-forwards';

const URI = 'qemu:///system';
const defaultNetwork: Network = {
  ...parseNetworkXml(`<network><name>default</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
    <forward mode='nat'/><bridge name='virbr0'/>
    <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
  </network>`),
  active: true,
  autostart: true,
  persistent: true,
};
const web = { protocol: 'tcp', hostPort: 8080, guestIp: '192.168.122.50', guestPort: 80 } as const;

function snapshotWith(networks: Network[], uri = URI): Snapshot {
  return { connection: { uri, state: 'connected' }, networks, vms: [], leases: [], leaseProblems: [], hostInterfaces: [] };
}

const ssRunner: CommandRunner = {
  run: async (program) => ({ stdout: program === 'ss' ? labListeners : '', stderr: '', code: 0 }),
  argv: (program, args) => [program, ...args],
};

let directory: string;
let snapshot: Snapshot;
let applied: HelperArguments<'firewall.apply'>['spec'][];
let failNextApply: boolean;
let forwards: PortForwards;
let operations: PrivilegedOperations;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'switchyard-port-forwards-'));
  snapshot = snapshotWith([defaultNetwork]);
  applied = [];
  failNextApply = false;
  operations = {
    call: vi.fn(async <O extends HelperOperation>(operation: O, args: HelperArguments<O>) => {
      if (operation === 'firewall.read') return { problems: [] } as never;
      if (operation !== 'firewall.apply') throw new Error(`unexpected ${operation}`);
      if (failNextApply) {
        failNextApply = false;
        throw new SwitchyardError({ code: 'step-failed', message: 'nft refused the rules', hint: 'Look at nft.' });
      }
      const { spec } = args as HelperArguments<'firewall.apply'>;
      applied.push(spec);
      return { done: [], rules: spec.forwards.length } as never;
    }),
    close: async () => undefined,
  };
  forwards = new PortForwards({
    uri: URI,
    runner: ssRunner,
    privileged: { mode: 'in-process', operations },
    stateDirectory: path.join(directory, 'state'),
    snapshot: () => snapshot,
  });
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

const stored = () => JSON.parse(readFileSync(path.join(directory, 'state', PORT_FORWARDS_FILE), 'utf8')) as { forwards: { network: string }[] };

describe('PortForwards', () => {
  it('stores a forward and applies it with the network reduced to bridge and subnet', async () => {
    const answer = await forwards.add('default', web);
    expect(answer.forwards).toEqual([expect.objectContaining({ ...web, id: expect.stringMatching(/^pf-[0-9a-f]{12}$/) })]);
    expect(answer.inactiveReason).toBeUndefined();
    expect(applied).toEqual([{ forwards: [{ bridge: 'virbr0', subnet: '192.168.122.0/24', ...web }] }]);
    expect(stored().forwards).toEqual([expect.objectContaining({ network: 'default', ...web })]);

    await forwards.remove('default', answer.forwards[0]!.id);
    expect(applied.at(-1)).toEqual({ forwards: [] });
    expect(stored().forwards).toEqual([]);
  });

  it("refuses a port a host service listens on, from the lab's ss output, before applying anything", async () => {
    await expect(forwards.add('default', { ...web, hostPort: 53 })).rejects.toMatchObject({ value: { code: 'invalid-input', field: 'hostPort' } });
    expect(applied).toEqual([]);
    expect((await forwards.list('default')).forwards).toEqual([]);
  });

  it('keeps the previous list when applying fails', async () => {
    failNextApply = true;
    await expect(forwards.add('default', web)).rejects.toMatchObject({ value: { code: 'step-failed' } });
    expect(stored().forwards).toEqual([]);
    // The previous (empty) spec went back on after the failure.
    expect(applied).toEqual([{ forwards: [] }]);
  });

  it('drops the rules while the network is stopped and re-applies them when it starts', async () => {
    await forwards.reconcile(snapshot);
    await forwards.add('default', web);
    await forwards.reconcile(snapshot);
    expect(applied).toHaveLength(1);

    snapshot = snapshotWith([{ ...defaultNetwork, active: false }]);
    await forwards.reconcile(snapshot);
    expect(applied.at(-1)).toEqual({ forwards: [] });
    expect((await forwards.list('default')).inactiveReason).toContain('stopped');

    snapshot = snapshotWith([defaultNetwork]);
    await forwards.reconcile(snapshot);
    expect(applied.at(-1)?.forwards).toHaveLength(1);
    expect(applied).toHaveLength(3);
  });

  it('forgets the forwards of a deleted network, and ignores other connections and reads that failed', async () => {
    await forwards.add('default', web);
    await forwards.reconcile(snapshotWith([], 'test:///default'));
    await forwards.reconcile({ ...snapshotWith([]), connection: { uri: URI, state: 'disconnected' } });
    expect(stored().forwards).toHaveLength(1);

    snapshot = snapshotWith([]);
    await forwards.reconcile(snapshot);
    expect(stored().forwards).toEqual([]);
    expect(applied.at(-1)).toEqual({ forwards: [] });
  });

  it('refuses a forward it could not apply', async () => {
    const unprivileged = new PortForwards({
      uri: URI,
      runner: ssRunner,
      privileged: { mode: 'unavailable', error: { code: 'no-privileges', message: 'The helper is not installed.', hint: 'Install the package.' } },
      stateDirectory: path.join(directory, 'state'),
      snapshot: () => snapshot,
    });
    await expect(unprivileged.add('default', web)).rejects.toMatchObject({ value: { code: 'no-privileges' } });
    expect((await unprivileged.list('default')).inactiveReason).toBe('The helper is not installed. Install the package.');
  });

  it('refuses requests while the core looks at another connection', async () => {
    snapshot = snapshotWith([defaultNetwork], 'test:///default');
    await expect(forwards.list('default')).rejects.toMatchObject({ value: { code: 'host-not-local' } });
  });

  it('applies again when libvirt comes back, which re-creates its own rules', async () => {
    await forwards.reconcile(snapshot);
    await forwards.add('default', web);
    await forwards.reconcile(snapshot);
    expect(applied).toHaveLength(1);
    await forwards.reconcile({ ...snapshot, connection: { uri: URI, state: 'disconnected' } });
    await forwards.reconcile(snapshot);
    expect(applied).toHaveLength(2);
  });

  it('asks for no privileges at start when nothing is stored', async () => {
    await forwards.reconcile(snapshot);
    expect(applied).toEqual([]);
  });
});

describe('PortForwards for a desktop user, whose helper starts behind a password prompt', () => {
  /** A core started again with the forwards an earlier session stored. */
  async function desktopWithStoredForward(): Promise<PortForwards> {
    await forwards.add('default', web);
    applied = [];
    return new PortForwards({ uri: URI, runner: ssRunner, privileged: { mode: 'helper', operations }, stateDirectory: path.join(directory, 'state'), snapshot: () => snapshot });
  }

  it('does not start the helper at start to re-apply them, but waits for the user, then keeps them applied by itself', async () => {
    const desktop = await desktopWithStoredForward();
    await desktop.reconcile(snapshot);
    expect(applied).toEqual([]);
    const waiting = await desktop.list('default');
    expect(waiting).toMatchObject({ awaitingAuthorization: true, inactiveReason: 'Not re-applied since Switchyard started: applying asks for an administrator password.' });

    const applying = await desktop.applyStored('default');
    expect(applied).toEqual([{ forwards: [{ bridge: 'virbr0', subnet: '192.168.122.0/24', ...web }] }]);
    expect(applying.awaitingAuthorization).toBeUndefined();
    expect(applying.inactiveReason).toBeUndefined();
    // The helper runs now: a network stopping and starting is followed without asking.
    snapshot = snapshotWith([{ ...defaultNetwork, active: false }]);
    await desktop.reconcile(snapshot);
    expect(applied.at(-1)).toEqual({ forwards: [] });
  });

  it('keeps waiting, with the reason, when the password dialog was dismissed', async () => {
    const desktop = await desktopWithStoredForward();
    failNextApply = true;
    await expect(desktop.applyStored('default')).rejects.toMatchObject({ value: { code: 'step-failed' } });
    expect(await desktop.list('default')).toMatchObject({
      awaitingAuthorization: true,
      inactiveReason: expect.stringContaining('The last attempt to apply the forwards failed: nft refused the rules'),
    });
  });

  it('applies them without another prompt once reading the firewall started the helper', async () => {
    const desktop = await desktopWithStoredForward();
    await desktop.reconcile(snapshot);
    await desktop.firewallView('default');
    expect((await desktop.list('default')).awaitingAuthorization).toBeUndefined();
    expect(applied).toHaveLength(1);
  });
});

describe('the port-forward requests (hostile input)', () => {
  const core = createCore({ uri: 'test:///default' });
  const table = createHandlerTable(core);
  afterAll(() => core.stop());

  it.each([
    ['addPortForward', { network: 'default', forward: { ...web, guestIp: '192.168.122.50; nft flush ruleset' } }, 'forward.guestIp'],
    ['addPortForward', { network: 'default', forward: { ...web, hostPort: 0 } }, 'forward.hostPort'],
    ['addPortForward', { network: 'default', forward: { ...web, rule: 'accept' } }, 'forward'],
    ['addPortForward', { network: 'default', forward: web, spec: {} }, undefined],
    ['removePortForward', { network: 'default', id: '../../etc/passwd' }, 'id'],
    ['listPortForwards', { network: 'x'.repeat(201) }, 'network'],
    ['getFirewallView', { network: 42 }, 'network'],
    ['applyPortForwards', { network: 'default', forwards: [] }, undefined],
  ])('%s refuses %j', async (name, input, field) => {
    const result = await dispatchRequest(table, name, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', ...(field ? { field } : {}) } });
  });
});

describe('stateDirectory', () => {
  it('is /var/lib for root, XDG state for a user, and the lab home for the lab', () => {
    expect(stateDirectory({ uri: URI }, {}, 0)).toBe('/var/lib/switchyard');
    expect(stateDirectory({ uri: URI }, { XDG_STATE_HOME: '/home/ada/.state' }, 1000)).toBe('/home/ada/.state/switchyard');
    expect(stateDirectory({ uri: URI, hostNamespacePid: 42 }, {}, 0)).toMatch(/switchyard-state$/);
  });
});
