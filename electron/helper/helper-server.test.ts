import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HELPER_PROTOCOL_VERSION, type HelperOperation } from '../../shared/helper-protocol';
import { handleRequestLine, serveHelper } from './helper-server';
import type { PrivilegedOperations } from './privileged-operations';

/** Records what would run; a hostile request must leave `calls` empty. */
function recordingOperations() {
  const calls: { operation: HelperOperation; args: unknown }[] = [];
  let closed = false;
  const operations: PrivilegedOperations = {
    call: async (operation, args) => {
      calls.push({ operation, args });
      return { done: [] } as never;
    },
    close: async () => {
      closed = true;
    },
  };
  return { operations, calls, isClosed: () => closed };
}

const request = (op: string, args: unknown, id = 7) => JSON.stringify({ v: HELPER_PROTOCOL_VERSION, id, op, args });
const step = (overrides: object) => ({
  steps: [{ op: 'link.set-state', name: 'br0', up: true, ...overrides }],
  interfaces: ['br0'],
  rollbackAfterSeconds: 30,
});

describe('the helper refuses hostile requests before running anything', () => {
  it.each([
    ['not JSON', 'rm -rf /', 'not JSON', undefined],
    ['an old protocol version', JSON.stringify({ v: 0, id: 1, op: 'hello', args: {} }), 'protocol version 1', 'v'],
    ['an unknown envelope field', JSON.stringify({ v: 1, id: 1, op: 'hello', args: {}, command: 'sh' }), 'unknown field', undefined],
    ['an operation outside the set', request('exec', { argv: ['/bin/sh'] }), 'no operation "exec"', 'op'],
    ['a shell string as interface name', request('transaction.apply', step({ name: 'br0;reboot' })), 'not ";"', 'args.steps.0.name'],
    ['an overlong interface name', request('transaction.apply', step({ name: 'bridge-name-too-long' })), 'at most 15', 'args.steps.0.name'],
    ['a name that reads as an option', request('probe.gateway', { dev: '-fbr0', address: '10.0.0.1' }), 'cannot start with "-"', 'args.dev'],
    ['a bad CIDR', request('transaction.apply', { steps: [{ op: 'address.add', dev: 'br0', address: { family: 'ipv4', cidr: '10.0.0.1/40' } }], interfaces: ['br0'], rollbackAfterSeconds: 30 }), 'from 0 to 32', 'args.steps.0.address.cidr'],
    ['a gateway with extra words', request('probe.gateway', { dev: 'br0', address: '10.0.0.1 -f' }), 'IPv4 address', 'args.address'],
    ['an unknown argument', request('hello', { path: '/etc/shadow' }), 'unknown field', 'args'],
    ['a persistence spec with a path', request('persistence.write', { manager: 'networkd', spec: { bridge: '../../etc', port: 'eno1', stp: false, addressing: { mode: 'dhcp' } } }), 'only letters', 'args.spec.bridge'],
    ['a line over 64 KiB', request('hello', { pad: 'x'.repeat(70_000) }), 'at most 65536 bytes', undefined],
  ])('%s', async (_what, line, message, field) => {
    const { operations, calls } = recordingOperations();
    const response = await handleRequestLine(line, operations);
    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.message).toContain(message);
    if (field) expect(response.error.field).toBe(field);
    expect(response.error.hint).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it('passes a valid request on, with the id echoed', async () => {
    const { operations, calls } = recordingOperations();
    const response = await handleRequestLine(request('probe.gateway', { dev: 'br0', address: '192.168.1.1' }, 42), operations);
    expect(response).toEqual({ v: 1, id: 42, ok: true, result: { done: [] } });
    expect(calls).toEqual([{ operation: 'probe.gateway', args: { dev: 'br0', address: '192.168.1.1' } }]);
  });

  it('answers line by line and closes the operations when its input ends', async () => {
    const { operations, isClosed } = recordingOperations();
    const input = new PassThrough();
    const output = new PassThrough();
    const served = serveHelper(input, output, operations);
    input.end(`${request('hello', {}, 1)}\n\n${request('nope', {}, 2)}\n`);
    await served;
    const answers = output.read().toString().trim().split('\n').map((line: string) => JSON.parse(line));
    expect(answers.map((a: { id: number; ok: boolean }) => [a.id, a.ok]).sort()).toEqual([[1, true], [2, false]]);
    expect(isClosed()).toBe(true);
  });
});
