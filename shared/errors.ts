// Errors cross the IPC boundary as plain values (code, message, field, hint), never as stack
// traces. SwitchyardError carries such a value inside one process.
import type { z } from 'zod';
import type { ErrorValue } from './model';

export class SwitchyardError extends Error {
  readonly value: ErrorValue;

  constructor(value: ErrorValue) {
    super(value.message);
    this.name = 'SwitchyardError';
    this.value = value;
  }
}

/** A request named a network libvirt does not have (any more). */
export function noSuchNetwork(name: string, field = 'network'): SwitchyardError {
  return new SwitchyardError({
    code: 'not-found',
    field,
    message: `There is no network named "${name}".`,
    hint: 'Pick a network from the list; it may have been deleted meanwhile.',
  });
}

export function invalidInput(field: string, message: string, hint?: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid-input', field, message, ...(hint ? { hint } : {}) });
}

/** Turns the first problem zod found into a per-field error a user can act on. */
export function errorFromZod(error: z.ZodError, what: string): ErrorValue {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const message = issue ? describeIssue(issue, field) : `${what} is not valid.`;
  return {
    code: 'invalid-input',
    message,
    ...(field ? { field } : {}),
    hint: hintForIssue(issue, field),
  };
}

function describeIssue(issue: z.core.$ZodIssue, field: string | undefined): string {
  const where = field ? `"${field}"` : 'The input';
  switch (issue.code) {
    case 'invalid_type':
      return `${where} should be ${issue.expected}.`;
    case 'unrecognized_keys':
      return `${where} has unknown field(s): ${issue.keys.join(', ')}.`;
    default:
      return field ? `${where}: ${issue.message}` : issue.message;
  }
}

function hintForIssue(issue: z.core.$ZodIssue | undefined, field: string | undefined): string {
  if (!issue) return 'Check the input and try again.';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Remove ${issue.keys.join(', ')}.`;
    case 'invalid_type':
      return field ? `Give "${field}" as ${issue.expected}.` : `Send ${issue.expected}.`;
    default:
      return field ? `Correct "${field}" and try again.` : 'Correct the input and try again.';
  }
}

export function toErrorValue(error: unknown): ErrorValue {
  if (error instanceof SwitchyardError) return error.value;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, hint: 'This is a bug in Switchyard; please report it with this message.' };
}
