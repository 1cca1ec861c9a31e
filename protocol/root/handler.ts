// /p2pbak/root/1.0.0 handler: PUT or GET one small record (root and key records) on a holder.
import { MAX_RECORD_SIZE, MAX_ROOT_MESSAGE, ROOT_PROTOCOL } from '../constants.js'
import { isProtocolError } from '../errors.js'
import { decodeRootRequest, encodeRootResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { RecordPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

const EMPTY = new Uint8Array(0)

export async function registerRoot (node: HandlerNode, port: RecordPort, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, ROOT_PROTOCOL, async (stream, connection, timeoutMs) => {
    await serveOnce(stream, { what: 'RootRequest', maxRequest: MAX_ROOT_MESSAGE, timeoutMs }, async (request) => {
      let query
      try {
        query = decodeRootRequest(request)
      } catch (err) {
        if (!isProtocolError(err, 'INVALID')) throw err
        return encodeRootResponse({ status: 'bad-request', value: EMPTY, message: err.message })
      }
      if (query.op === 'put') {
        const status = await port.put(query.key, query.value, connection.remotePeer.toString())
        return encodeRootResponse({ status, value: EMPTY, message: '' })
      }
      const value = await port.get(query.key)
      if (value === undefined) return encodeRootResponse({ status: 'not-found', value: EMPTY, message: '' })
      if (value.byteLength > MAX_RECORD_SIZE) throw new Error(`record ${query.key} is ${value.byteLength} bytes, more than ${MAX_RECORD_SIZE}`)
      return encodeRootResponse({ status: 'found', value, message: '' })
    })
  }, options)
}
