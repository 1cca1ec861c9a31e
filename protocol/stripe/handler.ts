// /p2pbak/stripe/1.0.0 handler: one StripeRequest (≤ MAX_STRIPE_BATCH pack IDs), one
// StripeResponse naming, per pack, the shards of it this holder keeps and their stripe.
import { MAX_CONTROL_MESSAGE, MAX_STRIPE_MESSAGE, STRIPE_PROTOCOL } from '../constants.js'
import { decodeStripeRequest, encodeStripeResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export async function registerStripe (node: HandlerNode, port: Pick<HolderPort, 'stripes'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, STRIPE_PROTOCOL, async (stream, _connection, timeoutMs) => {
    await serveOnce(stream, { what: 'StripeRequest', maxRequest: MAX_CONTROL_MESSAGE, timeoutMs }, async (request) => {
      const packIds = decodeStripeRequest(request)
      const hits = port.stripes === undefined ? [] : await port.stripes(packIds)
      const response = encodeStripeResponse(hits, packIds.length)
      if (response.byteLength > MAX_STRIPE_MESSAGE) throw new Error(`stripe answer of ${response.byteLength} bytes exceeds ${MAX_STRIPE_MESSAGE}`)
      return response
    })
  }, options)
}
