// /p2pbak/stripe/1.0.0 client.
import { MAX_STRIPE_BATCH, MAX_STRIPE_MESSAGE, STRIPE_PROTOCOL } from '../constants.js'
import { decodeStripeResponse, encodeStripeRequest } from '../messages.js'
import type { StripeHit } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/**
 * The shards of `packIds` the peer holds, with their stripes; `index` is the position in
 * `packIds`. Longer lists go in batches of MAX_STRIPE_BATCH, one after another.
 */
export async function findStripes (node: DialerNode, peer: Peer, packIds: string[], options: ClientOptions = {}): Promise<StripeHit[]> {
  const out: StripeHit[] = []
  for (let i = 0; i < packIds.length; i += MAX_STRIPE_BATCH) {
    const batch = packIds.slice(i, i + MAX_STRIPE_BATCH)
    const response = await requestOnce(node, peer, STRIPE_PROTOCOL, encodeStripeRequest(batch), { ...options, what: 'StripeResponse', maxResponse: MAX_STRIPE_MESSAGE })
    for (const hit of decodeStripeResponse(response, batch.length)) out.push({ ...hit, index: hit.index + i })
  }
  return out
}
