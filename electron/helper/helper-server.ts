// The helper's side of the protocol: one JSON request per line in, one JSON response per line
// out. Everything is checked before anything runs: the line's size, the envelope, the version,
// the operation's name against the closed set and its arguments against that operation's schema.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { errorFromZod, toErrorValue } from '../../shared/errors';
import type { ErrorValue } from '../../shared/model';
import {
  HELPER_OPERATIONS,
  HELPER_PROTOCOL_VERSION,
  HelperRequestSchema,
  MAX_REQUEST_LINE_BYTES,
  helperOperations,
  type HelperOperation,
  type HelperResponse,
} from '../../shared/helper-protocol';
import type { PrivilegedOperations } from './privileged-operations';

function refusal(id: number | null, error: ErrorValue): HelperResponse {
  return { v: HELPER_PROTOCOL_VERSION, id, ok: false, error };
}

function isOperation(name: string): name is HelperOperation {
  return Object.hasOwn(helperOperations, name);
}

/** Answers one request line; never throws. */
export async function handleRequestLine(line: string, operations: PrivilegedOperations): Promise<HelperResponse> {
  if (Buffer.byteLength(line, 'utf8') > MAX_REQUEST_LINE_BYTES) {
    return refusal(null, {
      code: 'invalid-input',
      message: `A request line is at most ${MAX_REQUEST_LINE_BYTES} bytes.`,
      hint: 'Send smaller requests.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return refusal(null, { code: 'invalid-input', message: 'A request line is not JSON.', hint: 'Send one JSON object per line.' });
  }
  const envelope = HelperRequestSchema.safeParse(json);
  if (!envelope.success) return refusal(idOf(json), errorFromZod(envelope.error, 'The request'));
  const { id, op, args } = envelope.data;
  if (!isOperation(op)) {
    return refusal(id, {
      code: 'unknown-operation',
      field: 'op',
      message: `The helper has no operation "${op}".`,
      hint: `Use one of: ${HELPER_OPERATIONS.join(', ')}.`,
    });
  }
  const parsed = helperOperations[op].safeParse(args ?? {});
  if (!parsed.success) {
    const error = errorFromZod(parsed.error, 'The arguments');
    return refusal(id, { ...error, ...(error.field ? { field: `args.${error.field}` } : { field: 'args' }) });
  }
  try {
    const result = await operations.call(op, parsed.data as never);
    return { v: HELPER_PROTOCOL_VERSION, id, ok: true, result };
  } catch (error) {
    return refusal(id, toErrorValue(error));
  }
}

function idOf(json: unknown): number | null {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/** Serves requests until the input ends, then closes the operations (rolling back what is open). */
export async function serveHelper(input: Readable, output: Writable, operations: PrivilegedOperations): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const pending = new Set<Promise<void>>();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const answered = handleRequestLine(line, operations).then((response) => {
      output.write(`${JSON.stringify(response)}\n`);
    });
    pending.add(answered);
    void answered.finally(() => pending.delete(answered));
  }
  await Promise.all(pending);
  await operations.close();
}
