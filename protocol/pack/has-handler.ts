// /p2pbak/pack/has/1.0.0 handler: one HasRequest (≤ MAX_HAS_BATCH IDs), one HasResponse in order.
// There is no status: a malformed request resets the stream.
import { MAX_CONTROL_MESSAGE, PACK_HAS_PROTOCOL } from '../constants.js'
import { decodeHasRequest, encodeHasResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export async function registerHas (node: HandlerNode, port: Pick<HolderPort, 'has'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, PACK_HAS_PROTOCOL, async (stream, _connection, timeoutMs) => {
    await serveOnce(stream, { what: 'HasRequest', maxRequest: MAX_CONTROL_MESSAGE, timeoutMs }, async (request) => {
      const packIds = decodeHasRequest(request)
      const held = await port.has(packIds)
      if (held.length !== packIds.length) throw new Error(`holder port answered ${held.length} of ${packIds.length} IDs`)
      return encodeHasResponse(held)
    })
  }, options)
}
