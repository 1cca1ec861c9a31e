// /p2pbak/audit/1.0.0 handler: one AuditRequest, one AuditResponse with SHA-256(nonce ‖ pack).
import { AUDIT_PROTOCOL, MAX_CONTROL_MESSAGE } from '../constants.js'
import { decodeAuditRequest, encodeAuditResponse } from '../messages.js'
import { registerHandler, serveOnce } from '../rpc.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export async function registerAudit (node: HandlerNode, port: Pick<HolderPort, 'audit'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, AUDIT_PROTOCOL, async (stream, connection, timeoutMs) => {
    await serveOnce(stream, { what: 'AuditRequest', maxRequest: MAX_CONTROL_MESSAGE, timeoutMs }, async (request) => {
      const { packId, nonce } = decodeAuditRequest(request)
      const digest = port.audit === undefined ? undefined : await port.audit(packId, nonce, connection.remotePeer.toString())
      if (digest === 'busy') return encodeAuditResponse({ status: 'busy', digest: new Uint8Array(0) })
      return encodeAuditResponse(digest === undefined ? { status: 'not-found', digest: new Uint8Array(0) } : { status: 'ok', digest })
    })
  }, options)
}
