// /p2pbak/pack/delete/1.0.0 handler: an owner-signed delete. The handler checks shapes only; the
// port verifies the signature and that the signing key stored the pack.
import { MAX_CONTROL_MESSAGE, PACK_DELETE_PROTOCOL } from '../constants.js'
import { isProtocolError } from '../errors.js'
import { decodeDeleteRequest, encodeDeleteResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export async function registerDelete (node: HandlerNode, port: Pick<HolderPort, 'remove'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, PACK_DELETE_PROTOCOL, async (stream, connection, timeoutMs) => {
    await serveOnce(stream, { what: 'DeleteRequest', maxRequest: MAX_CONTROL_MESSAGE, timeoutMs }, async (request) => {
      try {
        const query = decodeDeleteRequest(request)
        return encodeDeleteResponse(await port.remove({ ...query, from: connection.remotePeer.toString() }))
      } catch (err) {
        if (isProtocolError(err, 'INVALID')) return encodeDeleteResponse('bad-request')
        throw err
      }
    })
  }, options)
}
