// The swarm's wire protocols (DESIGN.md §10): IDs and limits, the ports the
// daemon implements, handler registration, and clients. Wire-level only: nothing here imports
// daemon/, config/ or cli/.
export * from './constants.js'
export { ProtocolError, isProtocolError } from './errors.js'
export type { ProtocolErrorCode } from './errors.js'
export { isPackId, packIdOf, packIdDigest, packIdFromDigest, packIdHasher } from './ids.js'
export { deleteSignedBytes } from './messages.js'
export * as messages from './messages.js'
export type {
  ByteRange, InfoReply, PutHeader, PutReadyStatus, PutResultStatus, GetQuery, GetStatus, DeleteQuery, DeleteStatus, RootQuery, RootStatus
} from './messages.js'
export type {
  HolderPort, RecordPort, HolderInfo, PutAdmission, AdmitDecision, ReceiveOutcome, RemoveRequest, RemoveOutcome, PackRead
} from './ports.js'
export type { HandlerNode, DialerNode, Peer, HandlerOptions, ClientOptions, Unregister } from './rpc.js'

export { registerInfo } from './info/handler.js'
export type { InfoHandlerOptions } from './info/handler.js'
export { getInfo } from './info/client.js'
export { registerPut } from './pack/put-handler.js'
export { putPack } from './pack/put-client.js'
export type { PutPackRequest, PutPackOptions, PutStatus, PutOutcome } from './pack/put-client.js'
export { registerGet } from './pack/get-handler.js'
export { getPack } from './pack/get-client.js'
export { registerHas } from './pack/has-handler.js'
export { hasPacks } from './pack/has-client.js'
export { registerDelete } from './pack/delete-handler.js'
export { deletePack } from './pack/delete-client.js'
export { registerPack } from './pack/register.js'
export { registerRoot } from './root/handler.js'
export { putRecord, getRecord } from './root/client.js'
export { registerAudit } from './audit/handler.js'
export { auditPack } from './audit/client.js'
export type { AuditReply, AuditStatus, StripeDescriptor, StripeHit } from './messages.js'
export { encodeStripe, decodeStripe, stripeShardSize } from './messages.js'
export { registerStripe } from './stripe/handler.js'
export { findStripes } from './stripe/client.js'

export { registerProtocols } from './register.js'
export type { SwarmPorts, RegisterOptions } from './register.js'
