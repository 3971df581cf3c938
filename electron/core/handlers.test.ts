// The handler table against libvirt's built-in test driver (real virsh, fake hypervisor): every
// kind of bad input comes back as a structured error, and the core keeps answering afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract';
import type { Snapshot } from '../../shared/model';
import { createCore } from './bootstrap';
import type { SwitchyardCore } from './core';
import { createHandlerTable, dispatchRequest, openSubscription, type HandlerTable } from './handlers';

let core: SwitchyardCore;
let table: HandlerTable;

beforeAll(async () => {
  core = createCore({ uri: 'test:///default' });
  table = createHandlerTable(core);
  await core.refresh();
});

afterAll(() => core.stop());

function expectError(result: Result<unknown>, code: string, field?: string) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  if (field !== undefined) expect(result.error.field).toBe(field);
  expect(result.error.message.length).toBeGreaterThan(0);
  expect(result.error.hint?.length).toBeGreaterThan(0);
  // Errors are values for people, never stack traces.
  expect(JSON.stringify(result.error)).not.toMatch(/\n\s+at /);
}

describe('requests', () => {
  it('reads the test driver through virsh', async () => {
    const result = await dispatchRequest(table, 'getSnapshot', {});
    expect(result.ok).toBe(true);
    const snapshot = (result as { value: Snapshot }).value;
    expect(snapshot.connection.state).toBe('connected');
    expect(snapshot.networks.map((n) => n.name)).toContain('default');
    const vm = snapshot.vms.find((v) => v.name === 'test');
    expect(vm?.state).toBe('running');
  });

  it('answers network details with XML and attached VMs', async () => {
    const result = await dispatchRequest(table, 'getNetworkDetails', { name: 'default' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const details = result.value as { xml: string; network: { name: string; active: boolean } };
    expect(details.network.name).toBe('default');
    expect(details.xml).toContain('<network');
  });

  it.each([
    ['an unknown request', 'deleteEverything', {}, 'unknown-request', 'name'],
    ['an inherited property name', '__proto__', {}, 'unknown-request', 'name'],
    ['a non-string request name', 42, {}, 'unknown-request', 'name'],
    ['a wrong type', 'getNetworkDetails', { name: 5 }, 'invalid-input', 'name'],
    ['a missing field', 'getNetworkDetails', {}, 'invalid-input', 'name'],
    ['an unknown field', 'getSnapshot', { evil: true }, 'invalid-input', undefined],
    ['an array as input', 'getNetworkDetails', ['default'], 'invalid-input', undefined],
    ['a string as input', 'setConnectionUri', 'qemu:///system', 'invalid-input', undefined],
    ['a huge string', 'getNetworkDetails', { name: 'n'.repeat(1_000_000) }, 'invalid-input', 'name'],
    ['an empty name', 'getNetworkDetails', { name: '' }, 'invalid-input', 'name'],
    ['a URI that is not one', 'setConnectionUri', { uri: 'rm -rf /' }, 'invalid-input', 'uri'],
    ['an unknown network', 'getNetworkDetails', { name: 'no-such-network' }, 'not-found', 'name'],
    ['a malformed MAC', 'attachNic', { vm: 'test', network: 'default', mac: '52:54:00:zz:00:01' }, 'invalid-input', 'mac'],
    ['a multicast MAC', 'attachNic', { vm: 'test', network: 'default', mac: '01:00:5e:00:00:01' }, 'invalid-input', 'mac'],
    ['an unknown NIC model', 'attachNic', { vm: 'test', network: 'default', model: 'ne2k_pci' }, 'invalid-input', 'model'],
    ['a NIC for an unknown VM', 'moveNic', { vm: 'no-such-vm', mac: '52:54:00:00:00:01', network: 'default' }, 'not-found', 'vm'],
    ['an unknown NIC', 'detachNic', { vm: 'test', mac: '52:54:00:00:00:99' }, 'not-found', 'mac'],
  ])('refuses %s with a structured error', async (_what, name, input, code, field) => {
    expectError(await dispatchRequest(table, name, input), code, field);
  });

  it('still answers after bad input', async () => {
    await dispatchRequest(table, 'getNetworkDetails', { name: { $gt: '' } });
    const result = await dispatchRequest(table, 'getSnapshot', {});
    expect(result.ok).toBe(true);
  });

  it('reports an unreachable URI as a disconnected connection with libvirt’s words', async () => {
    const own = createCore({ uri: 'test:///default' });
    const ownTable = createHandlerTable(own);
    const result = await dispatchRequest(ownTable, 'setConnectionUri', { uri: 'test:///no/such/file.xml' });
    expect(result.ok).toBe(true);
    const connection = (result as { value: Snapshot['connection'] }).value;
    expect(connection.state).toBe('disconnected');
    expect(connection.error?.code).toBe('libvirt-unreachable');
    expect(connection.error?.message).toMatch(/no\/such\/file\.xml|failed to connect/i);
    const back = await dispatchRequest(ownTable, 'setConnectionUri', { uri: 'test:///default' });
    expect((back as { value: Snapshot['connection'] }).value.state).toBe('connected');
  });
});

describe('subscriptions', () => {
  it('pushes the current snapshot at once and stops when closed', () => {
    const events: unknown[] = [];
    const opened = openSubscription(table, 'snapshot', {}, (event) => events.push(event));
    expect(opened.ok).toBe(true);
    expect(events).toHaveLength(1);
    if (opened.ok) opened.value();
  });

  it('refuses unknown subscriptions and bad input', () => {
    expectError(openSubscription(table, 'everything', {}, () => undefined), 'unknown-request', 'name');
    expectError(openSubscription(table, 'snapshot', { x: 1 }, () => undefined), 'invalid-input');
  });
});
