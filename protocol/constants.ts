// Protocol IDs, frame limits, timeouts and stream limits of the swarm wire protocols
// (DESIGN.md §10). Every ID is PROTOCOL_PREFIX / name / PROTOCOL_VERSION, so a
// change that old peers cannot parse gets a new version and both can be served side by side.

const KiB = 1024
const MiB = 1024 * KiB

export const PROTOCOL_PREFIX = '/p2pbak'
export const PROTOCOL_VERSION = '1.0.0'

/** `/p2pbak/<name>/1.0.0` */
export function protocolId (name: string, version: string = PROTOCOL_VERSION): string {
  return `${PROTOCOL_PREFIX}/${name}/${version}`
}

export const INFO_PROTOCOL = protocolId('info')
export const PACK_PUT_PROTOCOL = protocolId('pack/put')
export const PACK_GET_PROTOCOL = protocolId('pack/get')
export const PACK_HAS_PROTOCOL = protocolId('pack/has')
export const PACK_DELETE_PROTOCOL = protocolId('pack/delete')
export const ROOT_PROTOCOL = protocolId('root')
export const AUDIT_PROTOCOL = protocolId('audit')
export const STRIPE_PROTOCOL = protocolId('stripe')
/** The private Kademlia protocol: a p2pbak node never speaks the public `/ipfs/kad/1.0.0`. */
export const KAD_PROTOCOL = protocolId('kad')

// ---- limits ---------------------------------------------------------------------------------

/** Largest request/response frame (every message except root records and pack bytes). */
export const MAX_CONTROL_MESSAGE = 64 * KiB
/** Largest pack a holder accepts or a client fetches. Packs aim at ~16 MiB (DESIGN.md §3). */
export const MAX_PACK_SIZE = 64 * MiB
/** Largest data frame of pack bytes; senders slice packs into frames of at most this size. */
export const DATA_FRAME = 1 * MiB
/** Most pack IDs in one `pack/has` request (1024 IDs of 59 characters fit in one control frame). */
export const MAX_HAS_BATCH = 1024
/** Largest replica count a PutRequest may ask for (docs/protocol.md §4). */
export const MAX_REPLICAS = 16
/** Bytes of an audit nonce (docs/protocol.md §audit). */
export const AUDIT_NONCE_LENGTH = 32
/** Stripe descriptor format (docs/protocol.md §10). */
export const STRIPE_VERSION = 1
/** The erasure code: Reed-Solomon over GF(2^8) as @ronomon/reed-solomon 6 computes it. */
export const STRIPE_CODE_RS = 1
/** Most data shards and parity shards in a stripe (the limits of the Reed-Solomon code used). */
export const MAX_DATA_SHARDS = 24
export const MAX_PARITY_SHARDS = 6
/** Most pack IDs in one `stripe` request. */
export const MAX_STRIPE_BATCH = 64
/** Largest `stripe` response: MAX_STRIPE_BATCH stripes of 30 shard IDs each, with room to spare. */
export const MAX_STRIPE_MESSAGE = 256 * KiB
/** Largest record value carried by `root` (root records and key records are far smaller). */
export const MAX_RECORD_SIZE = 64 * KiB
/** Largest `root` frame: a whole record plus its key and framing. */
export const MAX_ROOT_MESSAGE = MAX_RECORD_SIZE + 1 * KiB
/** Longest free-text field (status messages, failure domain, agent); longer text is truncated when sent. */
export const MAX_TEXT = 1024
/** Owner keys are Ed25519 public keys. */
export const OWNER_KEY_LENGTH = 32
/** Ed25519 signatures. */
export const SIGNATURE_LENGTH = 64
/** Record keys, as in the RecordStore (daemon/store/types.ts). */
export const RECORD_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,127}$/

// ---- timeouts -------------------------------------------------------------------------------

/** Default wait for each message or data frame (reset per frame), and for each drain while sending. */
export const MESSAGE_TIMEOUT_MS = 10_000
/** Default wait for a holder's PutResult once every byte is sent: it fsyncs before answering. */
export const PUT_RESULT_TIMEOUT_MS = 60_000
/** A pack transfer must average at least this many bytes/s (after TRANSFER_GRACE_MS), else it is cut. */
export const MIN_TRANSFER_RATE = 256 * 1024
export const TRANSFER_GRACE_MS = 30_000

// ---- stream limits (per protocol, per connection) ------------------------------------------

/** Bulk transfers: a few streams saturate one connection (more streams do not go faster). */
export const BULK_MAX_STREAMS = 8
/** Small request/response protocols. */
export const CONTROL_MAX_STREAMS = 16

export interface StreamLimits {
  maxInboundStreams: number
  maxOutboundStreams: number
}

export const STREAM_LIMITS: Readonly<Record<string, StreamLimits>> = Object.freeze({
  [INFO_PROTOCOL]: { maxInboundStreams: CONTROL_MAX_STREAMS, maxOutboundStreams: CONTROL_MAX_STREAMS },
  [PACK_PUT_PROTOCOL]: { maxInboundStreams: BULK_MAX_STREAMS, maxOutboundStreams: BULK_MAX_STREAMS },
  [PACK_GET_PROTOCOL]: { maxInboundStreams: BULK_MAX_STREAMS, maxOutboundStreams: BULK_MAX_STREAMS },
  [PACK_HAS_PROTOCOL]: { maxInboundStreams: CONTROL_MAX_STREAMS, maxOutboundStreams: CONTROL_MAX_STREAMS },
  [PACK_DELETE_PROTOCOL]: { maxInboundStreams: CONTROL_MAX_STREAMS, maxOutboundStreams: CONTROL_MAX_STREAMS },
  [ROOT_PROTOCOL]: { maxInboundStreams: CONTROL_MAX_STREAMS, maxOutboundStreams: CONTROL_MAX_STREAMS },
  // An audit hashes a whole pack: few at once.
  [AUDIT_PROTOCOL]: { maxInboundStreams: 4, maxOutboundStreams: 4 },
  [STRIPE_PROTOCOL]: { maxInboundStreams: CONTROL_MAX_STREAMS, maxOutboundStreams: CONTROL_MAX_STREAMS }
})

// ---- receive-side flow control (see protocol/framing.ts) -----------------------------------

/** A reader pauses its stream (yamux stops granting window) once this much is buffered... */
export const READ_HIGH_WATER = 2 * MiB
/** ...and resumes it below this. */
export const READ_LOW_WATER = 1 * MiB
/**
 * Per-stream cap on bytes the muxer may buffer while a reader is paused. A paused yamux stream
 * still receives the window it already granted, up to its `maxStreamWindowSize` (16 MiB by
 * default), so the 4 MiB libp2p default would reset a slow reader's stream. Yamux itself refuses
 * data beyond the window, so this cap costs no extra exposure.
 */
export const PAUSED_READ_BUFFER = 16 * MiB + 1 * MiB
