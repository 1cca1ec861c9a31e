// /p2pbak/pack/put/1.0.0 client: offers a pack to a holder and streams it in DATA_FRAME slices.
import { DATA_FRAME, MAX_CONTROL_MESSAGE, MAX_PACK_SIZE, MESSAGE_TIMEOUT_MS, PACK_PUT_PROTOCOL, PUT_RESULT_TIMEOUT_MS } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { abortOnSignal, asError, closeWrite, FrameReader, writeFrame } from '../framing.js'
import { isPackId } from '../ids.js'
import { decodePutReady, decodePutResult, encodePutRequest } from '../messages.js'
import { openStream } from '../rpc.js'
import type { PutReadyStatus, PutResultStatus, StripeDescriptor } from '../messages.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

export interface PutPackRequest {
  packId: string
  /** The pack. Sent by reference: do not change it until putPack settles. */
  bytes: Uint8Array
  /** The owner's Ed25519 public key (32 bytes). */
  ownerKey: Uint8Array
  /** Copies the owner wants (0 or absent: not said). */
  replicas?: number
  /** Peer ID of the owner's daemon ('' or absent: not said). */
  origin?: string
  /** Erasure mode: the stripe `packId` is shard `shardIndex` of. */
  stripe?: StripeDescriptor
  shardIndex?: number
}

export interface PutPackOptions extends ClientOptions {
  /** Wait for the holder's answer after the last byte (it fsyncs first). Default PUT_RESULT_TIMEOUT_MS. */
  resultTimeoutMs?: number
  /** Awaited before each data frame with its size: the caller's bandwidth limit. Default none. */
  pace?: (bytes: number, signal?: AbortSignal) => Promise<void>
}

/** 'durable' and 'already-held' both mean the holder keeps a durable copy. */
export type PutStatus = Exclude<PutReadyStatus, 'ready'> | PutResultStatus

export interface PutOutcome {
  status: PutStatus
  /** The holder's detail, '' when none. */
  message: string
}

/**
 * Offers `bytes` to `peer` as `packId` and, if it accepts, streams them. Resolves with the
 * holder's answer (see PutStatus); rejects on transport failures, timeouts and protocol
 * violations (ProtocolError) or when `signal` aborts.
 */
export async function putPack (node: DialerNode, peer: Peer, req: PutPackRequest, options: PutPackOptions = {}): Promise<PutOutcome> {
  if (!isPackId(req.packId)) throw new ProtocolError('INVALID_ARGUMENT', `${JSON.stringify(req.packId)} is not a pack ID`)
  if (req.bytes.byteLength > MAX_PACK_SIZE) throw new ProtocolError('INVALID_ARGUMENT', `a pack of ${req.bytes.byteLength} bytes is larger than ${MAX_PACK_SIZE}`)
  const header = encodePutRequest({ packId: req.packId, size: req.bytes.byteLength, ownerKey: req.ownerKey, replicas: req.replicas ?? 0, origin: req.origin ?? '', ...(req.stripe === undefined ? {} : { stripe: req.stripe, shardIndex: req.shardIndex ?? 0 }) })
  const timeoutMs = options.timeoutMs ?? MESSAGE_TIMEOUT_MS

  const stream = await openStream(node, peer, PACK_PUT_PROTOCOL, options)
  const unhook = abortOnSignal(stream, options.signal)
  const reader = new FrameReader(stream)
  try {
    await writeFrame(stream, header, timeoutMs)
    const readyFrame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, timeoutMs, what: 'PutReady' })
    if (readyFrame === undefined) throw new ProtocolError('UNEXPECTED_EOF', 'the holder closed the stream without PutReady')
    const ready = decodePutReady(readyFrame)
    if (ready.status !== 'ready') {
      await closeWrite(stream, timeoutMs)
      return { status: ready.status, message: ready.message }
    }

    // Stream the bytes; stop as soon as the holder answers early (quota, disk full, size).
    let sendError: unknown
    try {
      for (let offset = 0; offset < req.bytes.byteLength && reader.bufferedBytes === 0; offset += DATA_FRAME) {
        const frame = req.bytes.subarray(offset, offset + DATA_FRAME)
        if (options.pace !== undefined) await options.pace(frame.byteLength, options.signal)
        await writeFrame(stream, frame, timeoutMs)
      }
      if (reader.bufferedBytes === 0) await closeWrite(stream, timeoutMs)
    } catch (err) {
      sendError = err // the holder may have answered and reset: look for its answer first
    }

    let resultFrame: Uint8Array | undefined
    try {
      resultFrame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, timeoutMs: options.resultTimeoutMs ?? PUT_RESULT_TIMEOUT_MS, what: 'PutResult' })
    } catch (err) {
      throw sendError ?? err
    }
    if (resultFrame === undefined) throw sendError ?? new ProtocolError('UNEXPECTED_EOF', 'the holder closed the stream without PutResult')
    const result = decodePutResult(resultFrame)
    try {
      await reader.end({ timeoutMs, what: 'PutResult' })
    } catch {} // after an early answer the holder resets the stream
    if (stream.status === 'open') stream.abort(new ProtocolError('SIZE_MISMATCH', `transfer stopped: ${result.status}`))
    return { status: result.status, message: result.message }
  } catch (err) {
    stream.abort(asError(err))
    throw err
  } finally {
    unhook()
    reader.dispose()
  }
}
