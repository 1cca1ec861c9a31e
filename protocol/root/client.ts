// /p2pbak/root/1.0.0 client.
import { MAX_ROOT_MESSAGE, ROOT_PROTOCOL } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { decodeRootResponse, encodeRootRequest } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { RootQuery, RootReply } from '../messages.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

async function exchange (node: DialerNode, peer: Peer, query: RootQuery, options: ClientOptions): Promise<RootReply> {
  const response = await requestOnce(node, peer, ROOT_PROTOCOL, encodeRootRequest(query), { ...options, what: 'RootResponse', maxResponse: MAX_ROOT_MESSAGE })
  const reply = decodeRootResponse(response)
  if (reply.status === 'bad-request') throw new ProtocolError('BAD_REQUEST', `the holder refused the record request for ${query.key}: ${reply.message}`)
  return reply
}

/** Stores a record on `peer`; 'rejected' when the holder keeps a value it prefers (older sequence, bad signature…). */
export async function putRecord (node: DialerNode, peer: Peer, key: string, value: Uint8Array, options: ClientOptions = {}): Promise<'stored' | 'rejected'> {
  const reply = await exchange(node, peer, { op: 'put', key, value }, options)
  if (reply.status !== 'stored' && reply.status !== 'rejected') throw new ProtocolError('INVALID', `the holder answered ${reply.status} to a record PUT`)
  return reply.status
}

/** The record `peer` holds under `key`, or undefined. */
export async function getRecord (node: DialerNode, peer: Peer, key: string, options: ClientOptions = {}): Promise<Uint8Array | undefined> {
  const reply = await exchange(node, peer, { op: 'get', key }, options)
  if (reply.status === 'not-found') return undefined
  if (reply.status !== 'found') throw new ProtocolError('INVALID', `the holder answered ${reply.status} to a record GET`)
  return reply.value
}
