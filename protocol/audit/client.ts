// /p2pbak/audit/1.0.0 client: challenge a holder of a pack with a fresh nonce.
import { AUDIT_PROTOCOL, MAX_CONTROL_MESSAGE } from '../constants.js'
import { decodeAuditResponse, encodeAuditRequest } from '../messages.js'
import type { AuditReply } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/** The peer's answer to "SHA-256(nonce ‖ pack)?"; the caller compares it with its own computation. */
export async function auditPack (node: DialerNode, peer: Peer, packId: string, nonce: Uint8Array, options: ClientOptions = {}): Promise<AuditReply> {
  const response = await requestOnce(node, peer, AUDIT_PROTOCOL, encodeAuditRequest(packId, nonce), { ...options, what: 'AuditResponse', maxResponse: MAX_CONTROL_MESSAGE })
  return decodeAuditResponse(response)
}
