// Messages of the serve shell's WebSocket (/api). Requests and subscriptions carry a client-chosen
// id; the server answers a request with one "res" and a subscription with "ev" messages until the
// client sends "unsub" (or with one failed "res" if the subscription is refused).
import { z } from 'zod';
import { ResultSchema } from './contract';

const MessageIdSchema = z.number().int().nonnegative();

export const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), id: MessageIdSchema, name: z.string().max(100), input: z.unknown() }),
  z.object({ t: z.literal('sub'), id: MessageIdSchema, name: z.string().max(100), input: z.unknown() }),
  z.object({ t: z.literal('unsub'), id: MessageIdSchema }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('res'), id: MessageIdSchema, result: ResultSchema }),
  z.object({ t: z.literal('ev'), id: MessageIdSchema, event: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Path of the WebSocket endpoint; the token travels as ?token= or in the session cookie. */
export const WIRE_PATH = '/api';
export const TOKEN_COOKIE = 'switchyard_token';
/** Largest client message the server reads; the contract has nothing near this size. */
export const MAX_CLIENT_MESSAGE_BYTES = 256 * 1024;
