// /p2pbak/info/1.0.0 handler: answers a holder's space figures and failure domain.
import { INFO_PROTOCOL, MAX_CONTROL_MESSAGE, PROTOCOL_VERSION } from '../constants.js'
import { decodeInfoRequest, encodeInfoResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export interface InfoHandlerOptions extends HandlerOptions {
  /** Software name and version reported to peers. Default 'p2pbak'. */
  agent?: string
}

export async function registerInfo (node: HandlerNode, port: Pick<HolderPort, 'info'>, options: InfoHandlerOptions = {}): Promise<Unregister> {
  const agent = options.agent ?? 'p2pbak'
  return await registerHandler(node, INFO_PROTOCOL, async (stream, connection, timeoutMs) => {
    await serveOnce(stream, { what: 'InfoRequest', maxRequest: MAX_CONTROL_MESSAGE, timeoutMs }, async (request) => {
      decodeInfoRequest(request)
      const info = await port.info(connection.remotePeer.toString())
      return encodeInfoResponse({ version: PROTOCOL_VERSION, ...info, agent })
    })
  }, options)
}
