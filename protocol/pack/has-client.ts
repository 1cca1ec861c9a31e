// /p2pbak/pack/has/1.0.0 client.
import { MAX_CONTROL_MESSAGE, MAX_HAS_BATCH, PACK_HAS_PROTOCOL } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { decodeHasResponse, encodeHasRequest } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/** Which of `packIds` the peer holds, in order. Longer lists go in batches of MAX_HAS_BATCH, one after another. */
export async function hasPacks (node: DialerNode, peer: Peer, packIds: string[], options: ClientOptions = {}): Promise<boolean[]> {
  const requests: Uint8Array[] = []
  for (let i = 0; i < packIds.length; i += MAX_HAS_BATCH) requests.push(encodeHasRequest(packIds.slice(i, i + MAX_HAS_BATCH)))
  const held: boolean[] = []
  for (const [i, request] of requests.entries()) {
    const asked = Math.min(MAX_HAS_BATCH, packIds.length - i * MAX_HAS_BATCH)
    const response = decodeHasResponse(await requestOnce(node, peer, PACK_HAS_PROTOCOL, request, { ...options, what: 'HasResponse', maxResponse: MAX_CONTROL_MESSAGE }))
    if (response.length !== asked) throw new ProtocolError('INVALID', `the peer answered ${response.length} of ${asked} pack IDs`)
    held.push(...response)
  }
  return held
}
