// /p2pbak/pack/put/1.0.0 handler. Exchange:
//   client → PutRequest; holder → PutReady; if READY: client → exactly `size` bytes as data frames
//   of 1..DATA_FRAME bytes, then half-close; holder → PutResult (DURABLE only after fsync).
// The holder may answer PutResult before every byte arrived (quota, disk full); it then resets the
// stream so the client stops sending.
import { DATA_FRAME, MAX_CONTROL_MESSAGE, MIN_TRANSFER_RATE, PACK_PUT_PROTOCOL, TRANSFER_GRACE_MS } from '../constants.js'
import { isProtocolError, ProtocolError } from '../errors.js'
import { asError, closeWrite, FrameReader, writeFrame } from '../framing.js'
import { decodePutRequest, encodePutReady, encodePutResult } from '../messages.js'
import { registerHandler } from '../rpc.js'
import type { PutResultStatus } from '../messages.js'
import type { HolderPort, PutAdmission, ReceiveOutcome } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'
import type { Connection, Stream } from '@libp2p/interface'

export async function registerPut (node: HandlerNode, port: Pick<HolderPort, 'admit' | 'receive'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, PACK_PUT_PROTOCOL, async (stream, connection, timeoutMs) => {
    await handlePut(stream, connection, port, timeoutMs)
  }, options)
}

async function handlePut (stream: Stream, connection: Connection, port: Pick<HolderPort, 'admit' | 'receive'>, timeoutMs: number): Promise<void> {
  const reader = new FrameReader(stream)
  try {
    const frame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, timeoutMs, what: 'PutRequest' })
    if (frame === undefined) throw new ProtocolError('UNEXPECTED_EOF', 'the stream closed before PutRequest')
    let header: ReturnType<typeof decodePutRequest>
    try {
      header = decodePutRequest(frame)
    } catch (err) {
      if (!isProtocolError(err, 'INVALID')) throw err
      await writeFrame(stream, encodePutReady({ status: 'bad-request', message: err.message }), timeoutMs)
      await closeWrite(stream, timeoutMs)
      return
    }
    const req: PutAdmission = { ...header, from: connection.remotePeer.toString() }
    const decision = await port.admit(req)
    if (decision !== 'ready') {
      await writeFrame(stream, encodePutReady({ status: decision, message: '' }), timeoutMs)
      await closeWrite(stream, timeoutMs)
      return
    }
    await receive(stream, reader, port, req, timeoutMs)
  } finally {
    reader.dispose()
  }
}

async function receive (stream: Stream, reader: FrameReader, port: Pick<HolderPort, 'receive'>, req: PutAdmission, timeoutMs: number): Promise<void> {
  const controller = new AbortController()
  const onClose = (evt: Event): void => {
    controller.abort((evt as Event & { error?: Error }).error ?? new ProtocolError('UNEXPECTED_EOF', 'the stream closed'))
  }
  stream.addEventListener('close', onClose)

  let failure: unknown
  let complete = false
  const fail = (err: unknown): never => {
    failure ??= err
    controller.abort(asError(err))
    throw err
  }
  // The port pulls frames one by one; the reader pauses the stream while the port writes.
  // A total deadline besides the per-frame timeout, so a client trickling a byte every few
  // seconds cannot hold a stream (and a reservation) for hours.
  const deadline = Date.now() + TRANSFER_GRACE_MS + Math.ceil(req.size / MIN_TRANSFER_RATE * 1000)
  async function * chunks (): AsyncGenerator<Uint8Array> {
    let received = 0
    try {
      if (failure !== undefined) throw failure
      while (received < req.size) {
        if (Date.now() > deadline) throw new ProtocolError('TIMEOUT', `the transfer of ${req.size} bytes is slower than ${MIN_TRANSFER_RATE} bytes/s`)
        const data = await reader.read({ maxLength: DATA_FRAME, timeoutMs, what: 'a data frame' })
        if (data === undefined) throw new ProtocolError('SIZE_MISMATCH', `the stream ended after ${received} of ${req.size} bytes`)
        if (data.byteLength === 0) throw new ProtocolError('MALFORMED', 'an empty data frame')
        if (received + data.byteLength > req.size) throw new ProtocolError('SIZE_MISMATCH', `more than the announced ${req.size} bytes`)
        received += data.byteLength
        yield data
      }
      await reader.end({ timeoutMs, what: `the announced ${req.size} bytes` })
      complete = true
    } catch (err) {
      fail(err)
    }
  }

  try {
    try {
      await writeFrame(stream, encodePutReady({ status: 'ready', message: '' }), timeoutMs)
    } catch (err) {
      failure = err // receive() is still called, so the port can release what admit() reserved
    }
    let outcome: ReceiveOutcome | 'internal'
    try {
      outcome = await port.receive(req, chunks(), controller.signal)
      if (outcome === 'durable' && !complete) {
        // a port that answers durable without taking every byte is broken; do not count it
        stream.log.error('holder port reported %s durable before the transfer completed', req.packId)
        outcome = 'internal'
      }
    } catch (err) {
      if (failure === undefined) {
        stream.log.error('holder port failed to receive %s - %e', req.packId, err)
        outcome = 'internal'
      } else if (isProtocolError(failure, 'SIZE_MISMATCH') && stream.writeStatus === 'writable') {
        outcome = 'size-mismatch'
      } else {
        throw failure // stalled, reset, malformed: nobody to answer
      }
    }
    await writeFrame(stream, encodePutResult({ status: outcome, message: resultMessage(outcome, failure) }), timeoutMs)
    await closeWrite(stream, timeoutMs)
    // an early answer: the client may still be sending, stop it
    if (!complete && stream.status === 'open') stream.abort(new ProtocolError('SIZE_MISMATCH', `transfer refused: ${outcome}`))
  } finally {
    stream.removeEventListener('close', onClose)
  }
}

function resultMessage (outcome: PutResultStatus, failure: unknown): string {
  if (outcome === 'size-mismatch' && failure instanceof Error) return failure.message
  return ''
}
