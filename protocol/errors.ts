// Wire-level errors. `protocol/` cannot import daemon/errors.ts (STYLE.md §3), so the daemon maps
// a ProtocolError to its own named errors by `code`.

export type ProtocolErrorCode =
  /** Bytes that do not decode as the expected message. */
  | 'MALFORMED'
  /** A message that decodes but breaks a rule (bad pack ID, size out of range, wrong key length…). */
  | 'INVALID'
  /** A frame longer than the limit for its place in the exchange. */
  | 'FRAME_TOO_LARGE'
  /** No frame (or no drain) within the per-message timeout. */
  | 'TIMEOUT'
  /** The stream ended in the middle of an exchange. */
  | 'UNEXPECTED_EOF'
  /** More or fewer pack bytes than announced. */
  | 'SIZE_MISMATCH'
  /** More unread bytes than flow control allows: the peer (or its muxer) ignores it. */
  | 'OVERFLOW'
  /** The remote said our request was malformed (BAD_REQUEST). */
  | 'BAD_REQUEST'
  /** The remote said the byte range is not inside the pack (BAD_RANGE). */
  | 'BAD_RANGE'
  /** A caller passed a value that cannot be sent (bad pack ID, oversized record…). */
  | 'INVALID_ARGUMENT'

export class ProtocolError extends Error {
  override name = 'ProtocolError'

  constructor (readonly code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export function isProtocolError (err: unknown, code?: ProtocolErrorCode): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code)
}
