// Shared plumbing of handlers and clients: registration with stream limits, one-shot
// request/response exchanges, and error handling in the libp2p v3 shape (STYLE.md §8).
import type { Connection, DialTarget, Libp2p, Stream } from '@libp2p/interface'
import { MESSAGE_TIMEOUT_MS, STREAM_LIMITS } from './constants.js'
import { ProtocolError } from './errors.js'
import { abortOnSignal, asError, closeWrite, FrameReader, writeFrame } from './framing.js'

/** The part of a libp2p node that handlers need. */
export type HandlerNode = Pick<Libp2p, 'handle' | 'unhandle'>
/** The part of a libp2p node that clients need. */
export type DialerNode = Pick<Libp2p, 'dialProtocol'>
/** A peer to talk to: its PeerId (addresses from the peer store) or multiaddr(s). */
export type Peer = DialTarget

export interface HandlerOptions {
  /** Time allowed for each inbound frame and each send (reset per frame). Default MESSAGE_TIMEOUT_MS. */
  messageTimeoutMs?: number
  /** Streams of this protocol one connection may have open towards us. Default: STREAM_LIMITS. */
  maxInboundStreams?: number
  /** Streams of this protocol we open on one connection. Default: STREAM_LIMITS. */
  maxOutboundStreams?: number
}

export interface ClientOptions {
  /** Aborts the dial and resets the stream. */
  signal?: AbortSignal
  /** Time allowed for each frame and each send (reset per frame). Default MESSAGE_TIMEOUT_MS. */
  timeoutMs?: number
}

/** Removes the handlers a `register…` call installed. */
export type Unregister = () => Promise<void>

type Handler = (stream: Stream, connection: Connection, timeoutMs: number) => Promise<void>

/**
 * Registers `handler` for `protocol` with its stream limits. A handler that throws gets its
 * stream aborted with the error (the remote sees a reset); the node keeps serving.
 */
export async function registerHandler (node: HandlerNode, protocol: string, handler: Handler, options: HandlerOptions = {}): Promise<Unregister> {
  const limits = STREAM_LIMITS[protocol]
  const timeoutMs = options.messageTimeoutMs ?? MESSAGE_TIMEOUT_MS
  await node.handle(protocol, async (stream, connection) => {
    try {
      await handler(stream, connection, timeoutMs)
    } catch (err) {
      stream.log.error('%s from %p failed - %e', protocol, connection.remotePeer, err)
      stream.abort(asError(err))
    }
  }, {
    maxInboundStreams: options.maxInboundStreams ?? limits?.maxInboundStreams,
    maxOutboundStreams: options.maxOutboundStreams ?? limits?.maxOutboundStreams
  })
  return async () => { await node.unhandle(protocol) }
}

/** Registers several, returning one function that removes them all. */
export async function registerAll (registrations: Array<Promise<Unregister>>): Promise<Unregister> {
  const settled = await Promise.allSettled(registrations)
  const done = settled.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
  const unregister: Unregister = async () => { await Promise.all(done.map(async (u) => { await u() })) }
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed !== undefined) {
    await unregister()
    throw failed.reason
  }
  return unregister
}

/** Opens a stream for `protocol`, honouring its outbound limit and the caller's signal. */
export async function openStream (node: DialerNode, peer: Peer, protocol: string, options: ClientOptions): Promise<Stream> {
  return await node.dialProtocol(peer, protocol, {
    signal: options.signal ?? AbortSignal.timeout(options.timeoutMs ?? MESSAGE_TIMEOUT_MS),
    maxOutboundStreams: STREAM_LIMITS[protocol]?.maxOutboundStreams
  })
}

/**
 * Handler side of a one-frame request, one-frame response exchange: reads the request (capped at
 * `maxRequest`), answers with what `respond` returns, half-closes.
 */
export async function serveOnce (stream: Stream, options: { what: string, maxRequest: number, timeoutMs: number }, respond: (request: Uint8Array) => Promise<Uint8Array>): Promise<void> {
  const reader = new FrameReader(stream)
  try {
    const request = await reader.read({ maxLength: options.maxRequest, timeoutMs: options.timeoutMs, what: options.what })
    if (request === undefined) throw new ProtocolError('UNEXPECTED_EOF', `the stream closed before ${options.what}`)
    const response = await respond(request)
    await writeFrame(stream, response, options.timeoutMs)
    await closeWrite(stream, options.timeoutMs)
  } finally {
    reader.dispose()
  }
}

/**
 * Client side of a one-frame exchange: sends `request`, half-closes, reads one response frame
 * (capped at `maxResponse`) and expects the stream to end after it.
 */
export async function requestOnce (node: DialerNode, peer: Peer, protocol: string, request: Uint8Array, options: ClientOptions & { what: string, maxResponse: number }): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? MESSAGE_TIMEOUT_MS
  const stream = await openStream(node, peer, protocol, options)
  const unhook = abortOnSignal(stream, options.signal)
  const reader = new FrameReader(stream)
  try {
    await writeFrame(stream, request, timeoutMs)
    await closeWrite(stream, timeoutMs)
    const response = await reader.read({ maxLength: options.maxResponse, timeoutMs, what: options.what })
    if (response === undefined) throw new ProtocolError('UNEXPECTED_EOF', `the peer closed the stream without ${options.what}`)
    await reader.end({ timeoutMs, what: options.what })
    return response
  } catch (err) {
    stream.abort(asError(err))
    throw err
  } finally {
    unhook()
    reader.dispose()
  }
}
