// Length-prefixed frames over a libp2p v3 stream, with receive-side flow control and a timeout on
// every frame (research libp2p.md §3.5). Not lpStream from @libp2p/utils, because its reader
// buffers everything the muxer delivers and resets the stream once 4 MiB is waiting: a holder
// that writes each frame to disk before reading the next would be cut off. This reader pauses the
// stream (yamux stops granting window) above READ_HIGH_WATER and resumes below READ_LOW_WATER.
import type { Stream } from '@libp2p/interface'
import { MESSAGE_TIMEOUT_MS, PAUSED_READ_BUFFER, READ_HIGH_WATER, READ_LOW_WATER } from './constants.js'
import { ProtocolError } from './errors.js'

/** Frame lengths are varints of at most 4 bytes (< 256 MiB); every limit here is far below. */
const MAX_VARINT_BYTES = 4

export interface FrameReaderOptions {
  /** Pause the stream once this many bytes wait unread. Default READ_HIGH_WATER. */
  highWater?: number
  /** Resume it below this. Default READ_LOW_WATER. */
  lowWater?: number
  /** Raise the stream's `maxReadBufferLength` to this, see PAUSED_READ_BUFFER. */
  pausedReadBuffer?: number
  /**
   * Reset the stream if more than this waits unread here: flow control failed (a muxer that
   * ignores pause). Default highWater + pausedReadBuffer.
   */
  maxBuffered?: number
}

export interface ReadFrameOptions {
  /** Longest frame accepted here; a longer announced length fails with FRAME_TOO_LARGE before any of it is read. */
  maxLength: number
  /** Time allowed for the whole frame. Default MESSAGE_TIMEOUT_MS. */
  timeoutMs?: number
  /** What the frame is, for error messages. */
  what: string
}

export class FrameReader {
  private readonly chunks: Uint8Array[] = []
  private buffered = 0
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private need = 0
  private flowQueued = false
  private disposed = false
  private readonly highWater: number
  private readonly lowWater: number
  private readonly savedMaxReadBuffer: number
  private readonly maxBuffered: number

  constructor (private readonly stream: Stream, options: FrameReaderOptions = {}) {
    this.highWater = options.highWater ?? READ_HIGH_WATER
    this.lowWater = options.lowWater ?? READ_LOW_WATER
    const paused = options.pausedReadBuffer ?? PAUSED_READ_BUFFER
    this.maxBuffered = options.maxBuffered ?? this.highWater + paused
    this.savedMaxReadBuffer = stream.maxReadBufferLength
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, paused)
    if (stream.status === 'aborted' || stream.status === 'reset') this.failure = new ProtocolError('UNEXPECTED_EOF', `stream is ${stream.status}`)
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onEvent)
    stream.addEventListener('close', this.onClose)
  }

  /** Bytes received and not yet read. */
  get bufferedBytes (): number {
    return this.buffered
  }

  /**
   * The next frame, or undefined when the remote closed its write side cleanly before any byte of
   * it. Throws ProtocolError (FRAME_TOO_LARGE, TIMEOUT, UNEXPECTED_EOF) or the stream's own error
   * (reset, abort). Frames already received are returned even if the stream failed afterwards.
   */
  async read (options: ReadFrameOptions): Promise<Uint8Array | undefined> {
    const timeoutMs = options.timeoutMs ?? MESSAGE_TIMEOUT_MS
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; this.wake?.() }, timeoutMs)
    try {
      let length = -1
      let headerBytes = 0
      for (;;) {
        if (length < 0) {
          const parsed = this.parseLength(options)
          if (parsed !== undefined) [length, headerBytes] = parsed
        }
        const need = length < 0 ? this.buffered + 1 : headerBytes + length
        if (this.buffered >= need) break
        if (this.atEnd()) {
          if (this.failure !== undefined) throw this.failure
          if (this.buffered === 0) return undefined
          throw new ProtocolError('UNEXPECTED_EOF', `stream ended inside ${options.what} (${this.buffered} of ${length < 0 ? '?' : need} bytes)`)
        }
        if (timedOut) throw new ProtocolError('TIMEOUT', `no complete ${options.what} within ${timeoutMs} ms: is the peer stalled?`)
        this.need = need
        this.flow()
        await new Promise<void>((resolve) => { this.wake = resolve })
        this.wake = undefined
      }
      this.take(headerBytes)
      return this.take(length)
    } finally {
      clearTimeout(timer)
      this.need = 0
      this.queueFlow()
    }
  }

  /**
   * Waits for the remote to close its write side with nothing more sent: the end of an exact byte
   * count. Throws SIZE_MISMATCH if any byte arrives instead.
   */
  async end (options: { timeoutMs?: number, what: string }): Promise<void> {
    const timeoutMs = options.timeoutMs ?? MESSAGE_TIMEOUT_MS
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; this.wake?.() }, timeoutMs)
    try {
      for (;;) {
        if (this.buffered > 0) throw new ProtocolError('SIZE_MISMATCH', `more bytes than announced after ${options.what}`)
        if (this.atEnd()) {
          if (this.failure !== undefined) throw this.failure
          return
        }
        if (timedOut) throw new ProtocolError('TIMEOUT', `the peer did not close the stream within ${timeoutMs} ms after ${options.what}`)
        this.need = 1
        this.flow()
        await new Promise<void>((resolve) => { this.wake = resolve })
        this.wake = undefined
      }
    } finally {
      clearTimeout(timer)
      this.need = 0
    }
  }

  /** Stops listening; unread bytes are dropped. */
  dispose (): void {
    if (this.disposed) return
    this.disposed = true
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onEvent)
    this.stream.removeEventListener('close', this.onClose)
    this.chunks.length = 0
    this.buffered = 0
    this.stream.maxReadBufferLength = this.savedMaxReadBuffer
    if (this.stream.readStatus === 'paused') this.stream.resume()
  }

  private readonly onMessage = (evt: { data: Uint8Array | { subarray: () => Uint8Array } }): void => {
    const data = evt.data.subarray()
    if (data.byteLength === 0) return
    this.chunks.push(data)
    this.buffered += data.byteLength
    if (this.buffered > this.maxBuffered && this.failure === undefined) {
      this.failure = new ProtocolError('OVERFLOW', `${this.buffered} bytes wait unread, more than ${this.maxBuffered}: the peer ignores flow control`)
      this.chunks.length = 0
      this.buffered = 0
      queueMicrotask(() => { this.stream.abort(this.failure as Error) })
    }
    this.queueFlow()
    this.wake?.()
  }

  private readonly onEvent = (): void => {
    this.wake?.()
  }

  private readonly onClose = (evt: Event): void => {
    const error = (evt as Event & { error?: Error }).error
    if (error != null && this.failure === undefined) this.failure = error
    this.wake?.()
  }

  /** Nothing more will arrive: the remote closed its write side (or the stream died) and the muxer holds nothing undelivered. */
  private atEnd (): boolean {
    if (this.failure !== undefined) return true
    return this.stream.remoteWriteStatus !== 'writable' && this.stream.readBufferLength === 0
  }

  private parseLength (options: ReadFrameOptions): [number, number] | undefined {
    let value = 0
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (i >= this.buffered) return undefined
      const byte = this.peek(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if (value > options.maxLength) {
        throw new ProtocolError('FRAME_TOO_LARGE', `${options.what} is longer than ${options.maxLength} bytes`)
      }
      if ((byte & 0x80) === 0) return [value, i + 1]
    }
    throw new ProtocolError('FRAME_TOO_LARGE', `${options.what} has a length prefix longer than ${MAX_VARINT_BYTES} bytes`)
  }

  private peek (index: number): number {
    for (const chunk of this.chunks) {
      if (index < chunk.byteLength) return chunk[index] as number
      index -= chunk.byteLength
    }
    throw new RangeError('peek beyond the buffer')
  }

  private take (n: number): Uint8Array {
    const first = this.chunks[0]
    if (n === 0) return new Uint8Array(0)
    if (first !== undefined && first.byteLength >= n) {
      const out = first.subarray(0, n)
      if (first.byteLength === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      this.buffered -= n
      return out
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0] as Uint8Array
      const part = Math.min(chunk.byteLength, n - filled)
      out.set(chunk.subarray(0, part), filled)
      filled += part
      if (part === chunk.byteLength) this.chunks.shift()
      else this.chunks[0] = chunk.subarray(part)
    }
    this.buffered -= n
    return out
  }

  // Pausing inside a 'message' listener would be undone: resume() dispatches the paused data and
  // only then re-enables yamux window updates. So decide in a microtask, after the dispatch.
  private queueFlow (): void {
    if (this.flowQueued) return
    this.flowQueued = true
    queueMicrotask(() => {
      this.flowQueued = false
      this.flow()
    })
  }

  private flow (): void {
    if (this.disposed) return
    const status = this.stream.readStatus
    if (status === 'readable' && this.buffered >= this.highWater && this.buffered >= this.need) {
      this.stream.pause()
    } else if (status === 'paused' && (this.buffered < this.lowWater || this.buffered < this.need)) {
      this.stream.resume()
    }
  }
}

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Uint8Array.from(out)
}

/**
 * Sends one length-prefixed frame, waiting for the muxer to drain when its buffer is full (the
 * `drain` event, never `stream.onDrain()`, which stops blocking after the first drain). `data` is
 * queued by reference: the caller must not change it afterwards.
 */
export async function writeFrame (stream: Stream, data: Uint8Array, timeoutMs: number = MESSAGE_TIMEOUT_MS): Promise<void> {
  stream.send(varint(data.byteLength))
  if (!stream.send(data)) await waitDrain(stream, timeoutMs)
}

/** Resolves on the stream's next `drain`; rejects when it closes or after `timeoutMs`. */
export async function waitDrain (stream: Stream, timeoutMs: number = MESSAGE_TIMEOUT_MS): Promise<void> {
  if (stream.status !== 'open') throw closedError(stream, 'waiting to send')
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
    }
    const onDrain = (): void => { done(); resolve() }
    const onClose = (evt: Event): void => {
      done()
      reject((evt as Event & { error?: Error }).error ?? closedError(stream, 'waiting to send'))
    }
    const timer = setTimeout(() => {
      done()
      reject(new ProtocolError('TIMEOUT', `the peer took no data for ${timeoutMs} ms: is it stalled?`))
    }, timeoutMs)
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
  })
}

/** Half-closes our write side once everything queued is handed to the muxer. */
export async function closeWrite (stream: Stream, timeoutMs: number = MESSAGE_TIMEOUT_MS): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    // stream.close() rejects with a StreamCloseEvent (not an Error) when the stream dies meanwhile
    const e = err as { error?: unknown, name?: string }
    if (e?.name === 'TimeoutError') throw new ProtocolError('TIMEOUT', `the peer took no data for ${timeoutMs} ms while closing`)
    throw e instanceof Error ? e : (e?.error ?? closedError(stream, 'closing'))
  }
}

function closedError (stream: Stream, doing: string): ProtocolError {
  return new ProtocolError('UNEXPECTED_EOF', `the stream was ${stream.status} while ${doing}`)
}

/** Aborts the stream when `signal` fires; returns the function that stops listening. */
export function abortOnSignal (stream: Stream, signal: AbortSignal | undefined): () => void {
  if (signal == null) return () => {}
  const onAbort = (): void => { stream.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted')) }
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  return () => { signal.removeEventListener('abort', onAbort) }
}

/** Error value to abort a stream with. */
export function asError (err: unknown): Error {
  if (err instanceof Error) return err
  const inner = (err as { error?: unknown })?.error
  return inner instanceof Error ? inner : new Error(String(err))
}
