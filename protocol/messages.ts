// toWire / fromWire for every swarm message (STYLE.md §7): protobuf stays here, callers see plain
// domain types with required fields. Every decoder throws ProtocolError and nothing else:
// 'MALFORMED' for bytes that are not the message, 'INVALID' for a message that breaks a rule.
import {
  AUDIT_NONCE_LENGTH, MAX_DATA_SHARDS, MAX_HAS_BATCH, MAX_PARITY_SHARDS, MAX_STRIPE_BATCH, STRIPE_CODE_RS, STRIPE_VERSION, MAX_PACK_SIZE, MAX_REPLICAS, MAX_RECORD_SIZE, MAX_TEXT, OWNER_KEY_LENGTH, RECORD_KEY_PATTERN, SIGNATURE_LENGTH
} from './constants.js'
import { ProtocolError } from './errors.js'
import { isPackId } from './ids.js'
import {
  DeleteRequest, DeleteResponse, GetRequest, GetResponse, HasRequest, HasResponse, InfoRequest, InfoResponse,
  AuditRequest, AuditResponse, PutReady, PutRequest, PutResult, RootRequest, RootResponse,
  Stripe, StripeRequest, StripeResponse
} from './pb/swarm.js'

export interface ByteRange {
  /** First byte. */
  offset: number
  /** Number of bytes. */
  length: number
}

export interface InfoReply {
  /** Wire protocol version of the holder. */
  version: string
  /** Bytes the holder still accepts. */
  free: number
  /** Bytes it offers to the swarm. */
  quota: number
  /** Bytes it holds for others. */
  used: number
  /** Failure domain label, '' when unset. */
  domain: string
  /** Software name and version, for diagnostics. */
  agent: string
  /** A planned absence: ms since the epoch until which the peer is away; 0 (or absent) when none. */
  awayUntil?: number
  /** The peer is leaving the swarm for good (`p2pbak leave`). */
  leaving?: boolean
  /** A short-lived peer (a fresh-machine restore): holds nothing; peers do not keep it in their peer book. */
  ephemeral?: boolean
}

export interface PutHeader {
  packId: string
  size: number
  /** The owner's Ed25519 public key (32 bytes): only this key may later delete the pack. */
  ownerKey: Uint8Array
  /** Copies the owner wants; 0 when not said (the holder assumes its default). */
  replicas?: number
  /** Peer ID of the owner's daemon, '' when not said; a repair copy keeps the original's. */
  origin?: string
  /** Erasure mode: the stripe this shard belongs to; `packId` is then its `shardIds[shardIndex]`. */
  stripe?: StripeDescriptor
  shardIndex?: number
}

/**
 * A pack cut into k data and m parity shards (docs/protocol.md §10). The data shards are the
 * pack's bytes, zero-padded to k × shardSize; every shard is an object named by the SHA-256 of
 * its bytes, so holders check, audit and scrub shards exactly as they do packs.
 */
export interface StripeDescriptor {
  version: number
  code: number
  packId: string
  packSize: number
  dataShards: number
  parityShards: number
  shardSize: number
  shardIds: string[]
}

/** One `stripe` answer: the peer holds `shardIndexes` of the stripe of request entry `index`. */
export interface StripeHit {
  index: number
  shardIndexes: number[]
  stripe: StripeDescriptor
}

/** AuditResponse: the digest SHA-256(nonce ‖ pack) when 'ok'. */
export type AuditStatus = 'ok' | 'not-found' | 'bad-request' | 'busy'
export interface AuditReply { status: AuditStatus, digest: Uint8Array }

export type PutReadyStatus = 'ready' | 'already-held' | 'quota-exceeded' | 'too-large' | 'bad-request' | 'busy'
export type PutResultStatus = 'durable' | 'hash-mismatch' | 'size-mismatch' | 'quota-exceeded' | 'no-space' | 'internal'

export interface StatusReply<S extends string> {
  status: S
  /** Human-readable detail, '' when none. */
  message: string
}

export interface GetQuery {
  packId: string
  /** Absent: the whole pack. */
  range?: ByteRange
}

export type GetStatus = 'ok' | 'not-found' | 'bad-range' | 'bad-request'

export interface GetReply {
  status: GetStatus
  /** Bytes that follow ('ok' only; 0 otherwise). */
  size: number
}

export interface DeleteQuery {
  packId: string
  ownerKey: Uint8Array
  /** Milliseconds since the epoch when the owner signed; holders may refuse stale requests. */
  timeMs: number
  /** Ed25519 over deleteSignedBytes(packId, ownerKey, timeMs). */
  signature: Uint8Array
}

export type DeleteStatus = 'deleted' | 'not-found' | 'forbidden' | 'bad-request'

export type RootQuery = { op: 'put', key: string, value: Uint8Array } | { op: 'get', key: string }

export type RootStatus = 'stored' | 'found' | 'not-found' | 'rejected' | 'bad-request'

export interface RootReply {
  status: RootStatus
  /** The record ('found' only; empty otherwise). */
  value: Uint8Array
  message: string
}

// ---- helpers ----------------------------------------------------------------------------------

type Bytes = Uint8Array

interface Decoder<T> { decode: (buf: Bytes, opts?: any) => T }

function decodeWith<T> (codec: Decoder<T>, what: string, buf: Bytes, opts?: unknown): T {
  try {
    return codec.decode(buf, opts)
  } catch (err) {
    throw new ProtocolError('MALFORMED', `cannot decode ${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
  }
}

function invalid (what: string, why: string): ProtocolError {
  return new ProtocolError('INVALID', `invalid ${what}: ${why}`)
}

function checkPackId (what: string, id: string): string {
  if (!isPackId(id)) throw invalid(what, `${JSON.stringify(id.slice(0, 80))} is not a pack ID (a CIDv1 raw sha2-256, bafkrei…)`)
  return id
}

function checkCount (what: string, field: string, n: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw invalid(what, `${field} ${n} is not an integer in [0, ${max}]`)
  return n
}

function checkLength (what: string, field: string, bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.byteLength !== length) throw invalid(what, `${field} is ${bytes.byteLength} bytes, expected ${length}`)
  return bytes
}

function checkText (what: string, field: string, text: string): string {
  if (text.length > MAX_TEXT) throw invalid(what, `${field} is longer than ${MAX_TEXT} characters`)
  return text
}

function checkRecordKey (what: string, key: string): string {
  if (!RECORD_KEY_PATTERN.test(key)) throw invalid(what, `record key ${JSON.stringify(key.slice(0, 80))} does not match ${String(RECORD_KEY_PATTERN)}`)
  return key
}

function checkRange (what: string, range: ByteRange): ByteRange {
  checkCount(what, 'offset', range.offset, MAX_PACK_SIZE)
  checkCount(what, 'length', range.length, MAX_PACK_SIZE)
  if (range.offset + range.length > MAX_PACK_SIZE) throw invalid(what, `range ends beyond ${MAX_PACK_SIZE} bytes`)
  return range
}

/** Text from our side is cut rather than refused: a long diagnostic must not break an exchange. */
function clip (text: string | undefined): string {
  return (text ?? '').slice(0, MAX_TEXT)
}

/** An encoder validates too, so a bug on our side fails here instead of at the remote. */
function local<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'INVALID') throw new ProtocolError('INVALID_ARGUMENT', err.message)
    throw err
  }
}

function statusFromWire<S extends string> (what: string, table: Record<string, S>, wire: string): S {
  const status = table[wire]
  if (status === undefined) throw invalid(what, `status ${wire} is not allowed here`)
  return status
}

function statusToWire<S extends string, W extends string> (table: Record<W, S>, status: S): W {
  for (const [wire, s] of Object.entries(table) as Array<[W, S]>) if (s === status) return wire
  throw new ProtocolError('INVALID_ARGUMENT', `unknown status ${status}`)
}

// ---- info -------------------------------------------------------------------------------------

export function encodeInfoRequest (): Uint8Array {
  return InfoRequest.encode({})
}

/** The request is empty; unknown fields are skipped so a later version may add some. */
export function decodeInfoRequest (buf: Bytes): void {
  decodeWith(InfoRequest, 'InfoRequest', buf)
}

export function encodeInfoResponse (info: InfoReply): Uint8Array {
  const clipped = { ...info, version: clip(info.version), domain: clip(info.domain), agent: clip(info.agent) }
  local(() => checkInfo(clipped))
  return InfoResponse.encode(clipped)
}

export function decodeInfoResponse (buf: Bytes): InfoReply {
  return checkInfo(decodeWith(InfoResponse, 'InfoResponse', buf))
}

function checkInfo (m: InfoReply): InfoReply {
  const what = 'InfoResponse'
  const max = Number.MAX_SAFE_INTEGER
  return {
    version: checkText(what, 'version', m.version),
    free: checkCount(what, 'free', m.free, max),
    quota: checkCount(what, 'quota', m.quota, max),
    used: checkCount(what, 'used', m.used, max),
    domain: checkText(what, 'domain', m.domain),
    agent: checkText(what, 'agent', m.agent),
    awayUntil: checkCount(what, 'away_until', m.awayUntil ?? 0, max),
    leaving: m.leaving === true,
    ephemeral: m.ephemeral === true
  }
}

// ---- pack/put ---------------------------------------------------------------------------------

export function encodePutRequest (header: PutHeader): Uint8Array {
  const h = local(() => checkPutHeader(header))
  return PutRequest.encode({ ...h, stripe: h.stripe === undefined ? new Uint8Array(0) : Stripe.encode(h.stripe), shardIndex: h.shardIndex ?? 0 })
}

export function decodePutRequest (buf: Bytes): PutHeader & Required<Pick<PutHeader, 'replicas' | 'origin'>> {
  const m = decodeWith(PutRequest, 'PutRequest', buf)
  const stripe = m.stripe.byteLength === 0 ? undefined : decodeStripe(m.stripe)
  return checkPutHeader({ ...m, stripe, shardIndex: stripe === undefined ? undefined : m.shardIndex })
}

function checkPutHeader (m: PutHeader): PutHeader & Required<Pick<PutHeader, 'replicas' | 'origin'>> {
  const what = 'PutRequest'
  const h = {
    packId: checkPackId(what, m.packId),
    size: checkCount(what, 'size', m.size, MAX_PACK_SIZE),
    ownerKey: checkLength(what, 'owner_key', m.ownerKey, OWNER_KEY_LENGTH),
    replicas: checkCount(what, 'replicas', m.replicas ?? 0, MAX_REPLICAS),
    origin: checkText(what, 'origin', m.origin ?? '')
  }
  if (m.stripe === undefined) return h
  const stripe = checkStripe(m.stripe)
  const shardIndex = checkCount(what, 'shard_index', m.shardIndex ?? 0, stripe.shardIds.length - 1)
  if (stripe.shardIds[shardIndex] !== h.packId) throw invalid(what, `pack_id is not shard ${shardIndex} of its stripe`)
  if (h.size !== stripe.shardSize) throw invalid(what, `size ${h.size} is not the stripe's shard size ${stripe.shardSize}`)
  return { ...h, stripe, shardIndex }
}

// ---- stripes ----------------------------------------------------------------------------------

export function encodeStripe (stripe: StripeDescriptor): Uint8Array {
  return Stripe.encode(local(() => checkStripe(stripe)))
}

export function decodeStripe (buf: Bytes): StripeDescriptor {
  return checkStripe(decodeWith(Stripe, 'Stripe', buf, { limits: { shardIds: MAX_DATA_SHARDS + MAX_PARITY_SHARDS } }))
}

/** The rules every stripe obeys; a holder refuses a shard whose stripe breaks one. */
function checkStripe (m: StripeDescriptor): StripeDescriptor {
  const what = 'Stripe'
  if (m.version !== STRIPE_VERSION) throw invalid(what, `version ${m.version} is not ${STRIPE_VERSION}`)
  if (m.code !== STRIPE_CODE_RS) throw invalid(what, `code ${m.code} is not ${STRIPE_CODE_RS} (Reed-Solomon)`)
  const k = m.dataShards
  const n = k + m.parityShards
  if (!Number.isSafeInteger(k) || k < 1 || k > MAX_DATA_SHARDS) throw invalid(what, `data_shards ${k} is not in [1, ${MAX_DATA_SHARDS}]`)
  if (!Number.isSafeInteger(m.parityShards) || m.parityShards < 1 || m.parityShards > MAX_PARITY_SHARDS) throw invalid(what, `parity_shards ${m.parityShards} is not in [1, ${MAX_PARITY_SHARDS}]`)
  checkPackId(what, m.packId)
  checkCount(what, 'pack_size', m.packSize, MAX_PACK_SIZE)
  checkCount(what, 'shard_size', m.shardSize, MAX_PACK_SIZE)
  if (m.shardSize !== stripeShardSize(m.packSize, k)) throw invalid(what, `shard_size ${m.shardSize} is not ${stripeShardSize(m.packSize, k)} for ${m.packSize} bytes in ${k} shards`)
  if (m.shardIds.length !== n) throw invalid(what, `${m.shardIds.length} shard IDs for ${n} shards`)
  for (const id of m.shardIds) checkPackId(what, id)
  return { version: m.version, code: m.code, packId: m.packId, packSize: m.packSize, dataShards: k, parityShards: m.parityShards, shardSize: m.shardSize, shardIds: [...m.shardIds] }
}

/** Each shard's length: the pack split in k, rounded up to 8 bytes (the code works on 8-byte words), at least 8. */
export function stripeShardSize (packSize: number, dataShards: number): number {
  return Math.max(8, Math.ceil(packSize / dataShards / 8) * 8)
}

export function encodeStripeRequest (packIds: string[]): Uint8Array {
  return StripeRequest.encode({ packIds: local(() => checkStripeRequest(packIds)) })
}

export function decodeStripeRequest (buf: Bytes): string[] {
  return checkStripeRequest(decodeWith(StripeRequest, 'StripeRequest', buf, { limits: { packIds: MAX_STRIPE_BATCH } }).packIds)
}

function checkStripeRequest (packIds: string[]): string[] {
  checkCount('StripeRequest', 'number of pack IDs', packIds.length, MAX_STRIPE_BATCH)
  for (const id of packIds) checkPackId('StripeRequest', id)
  return [...packIds]
}

export function encodeStripeResponse (hits: StripeHit[], asked: number): Uint8Array {
  local(() => checkStripeHits(hits, asked))
  return StripeResponse.encode({ hits: hits.map(h => ({ index: h.index, shardIndexes: h.shardIndexes, stripe: Stripe.encode(h.stripe) })) })
}

export function decodeStripeResponse (buf: Bytes, asked: number): StripeHit[] {
  const m = decodeWith(StripeResponse, 'StripeResponse', buf, { limits: { hits: MAX_STRIPE_BATCH } })
  return checkStripeHits(m.hits.map(h => ({ index: h.index, shardIndexes: h.shardIndexes, stripe: decodeStripe(h.stripe) })), asked)
}

function checkStripeHits (hits: StripeHit[], asked: number): StripeHit[] {
  const what = 'StripeResponse'
  checkCount(what, 'number of hits', hits.length, asked)
  for (const h of hits) {
    checkCount(what, 'index', h.index, asked - 1)
    const stripe = checkStripe(h.stripe)
    if (h.shardIndexes.length === 0) throw invalid(what, 'a hit names no shard')
    for (const i of h.shardIndexes) checkCount(what, 'shard index', i, stripe.shardIds.length - 1)
  }
  return hits
}

const PUT_READY: Record<string, PutReadyStatus> = {
  [PutReady.Status.READY]: 'ready',
  [PutReady.Status.ALREADY_HELD]: 'already-held',
  [PutReady.Status.QUOTA_EXCEEDED]: 'quota-exceeded',
  [PutReady.Status.TOO_LARGE]: 'too-large',
  [PutReady.Status.BAD_REQUEST]: 'bad-request',
  [PutReady.Status.BUSY]: 'busy'
}

export function encodePutReady (reply: StatusReply<PutReadyStatus>): Uint8Array {
  return PutReady.encode({ status: statusToWire(PUT_READY, reply.status) as PutReady.Status, message: clip(reply.message) })
}

export function decodePutReady (buf: Bytes): StatusReply<PutReadyStatus> {
  const m = decodeWith(PutReady, 'PutReady', buf)
  return { status: statusFromWire('PutReady', PUT_READY, m.status), message: checkText('PutReady', 'message', m.message) }
}

const PUT_RESULT: Record<string, PutResultStatus> = {
  [PutResult.Status.DURABLE]: 'durable',
  [PutResult.Status.HASH_MISMATCH]: 'hash-mismatch',
  [PutResult.Status.SIZE_MISMATCH]: 'size-mismatch',
  [PutResult.Status.QUOTA_EXCEEDED]: 'quota-exceeded',
  [PutResult.Status.NO_SPACE]: 'no-space',
  [PutResult.Status.INTERNAL]: 'internal'
}

export function encodePutResult (reply: StatusReply<PutResultStatus>): Uint8Array {
  return PutResult.encode({ status: statusToWire(PUT_RESULT, reply.status) as PutResult.Status, message: clip(reply.message) })
}

export function decodePutResult (buf: Bytes): StatusReply<PutResultStatus> {
  const m = decodeWith(PutResult, 'PutResult', buf)
  return { status: statusFromWire('PutResult', PUT_RESULT, m.status), message: checkText('PutResult', 'message', m.message) }
}

// ---- pack/get ---------------------------------------------------------------------------------

export function encodeGetRequest (query: GetQuery): Uint8Array {
  const q = local(() => checkGetQuery(query))
  return GetRequest.encode(q.range === undefined
    ? { packId: q.packId, whole: true }
    : { packId: q.packId, offset: q.range.offset, length: q.range.length, whole: false })
}

export function decodeGetRequest (buf: Bytes): GetQuery {
  const m = decodeWith(GetRequest, 'GetRequest', buf)
  if (m.whole && (m.offset !== 0 || m.length !== 0)) throw invalid('GetRequest', 'whole is set together with a range')
  return checkGetQuery(m.whole ? { packId: m.packId } : { packId: m.packId, range: { offset: m.offset, length: m.length } })
}

function checkGetQuery (q: GetQuery): GetQuery {
  const packId = checkPackId('GetRequest', q.packId)
  return q.range === undefined ? { packId } : { packId, range: checkRange('GetRequest', { offset: q.range.offset, length: q.range.length }) }
}

const GET_STATUS: Record<string, GetStatus> = {
  [GetResponse.Status.OK]: 'ok',
  [GetResponse.Status.NOT_FOUND]: 'not-found',
  [GetResponse.Status.BAD_RANGE]: 'bad-range',
  [GetResponse.Status.BAD_REQUEST]: 'bad-request'
}

export function encodeGetResponse (reply: GetReply): Uint8Array {
  const r = local(() => checkGetReply(reply))
  return GetResponse.encode({ status: statusToWire(GET_STATUS, r.status) as GetResponse.Status, size: r.size })
}

export function decodeGetResponse (buf: Bytes): GetReply {
  const m = decodeWith(GetResponse, 'GetResponse', buf)
  return checkGetReply({ status: statusFromWire('GetResponse', GET_STATUS, m.status), size: m.size })
}

function checkGetReply (r: GetReply): GetReply {
  const size = checkCount('GetResponse', 'size', r.size, MAX_PACK_SIZE)
  if (r.status !== 'ok' && size !== 0) throw invalid('GetResponse', `size ${size} with status ${r.status}`)
  return { status: r.status, size }
}

// ---- pack/has ---------------------------------------------------------------------------------

export function encodeHasRequest (packIds: string[]): Uint8Array {
  return HasRequest.encode({ packIds: local(() => checkHasRequest(packIds)) })
}

export function decodeHasRequest (buf: Bytes): string[] {
  const m = decodeWith(HasRequest, 'HasRequest', buf, { limits: { packIds: MAX_HAS_BATCH } })
  return checkHasRequest(m.packIds)
}

function checkHasRequest (packIds: string[]): string[] {
  checkCount('HasRequest', 'number of pack IDs', packIds.length, MAX_HAS_BATCH)
  for (const id of packIds) checkPackId('HasRequest', id)
  return [...packIds]
}

export function encodeHasResponse (held: boolean[]): Uint8Array {
  local(() => checkCount('HasResponse', 'number of answers', held.length, MAX_HAS_BATCH))
  return HasResponse.encode({ held })
}

export function decodeHasResponse (buf: Bytes): boolean[] {
  const m = decodeWith(HasResponse, 'HasResponse', buf, { limits: { held: MAX_HAS_BATCH } })
  return m.held
}

// ---- audit ------------------------------------------------------------------------------------

export function encodeAuditRequest (packId: string, nonce: Uint8Array): Uint8Array {
  return AuditRequest.encode(local(() => ({ packId: checkPackId('AuditRequest', packId), nonce: checkLength('AuditRequest', 'nonce', nonce, AUDIT_NONCE_LENGTH) })))
}

export function decodeAuditRequest (buf: Bytes): { packId: string, nonce: Uint8Array } {
  const m = decodeWith(AuditRequest, 'AuditRequest', buf)
  return { packId: checkPackId('AuditRequest', m.packId), nonce: checkLength('AuditRequest', 'nonce', m.nonce, AUDIT_NONCE_LENGTH) }
}

const AUDIT: Record<string, AuditStatus> = {
  [AuditResponse.Status.OK]: 'ok',
  [AuditResponse.Status.NOT_FOUND]: 'not-found',
  [AuditResponse.Status.BAD_REQUEST]: 'bad-request',
  [AuditResponse.Status.BUSY]: 'busy'
}

export function encodeAuditResponse (reply: AuditReply): Uint8Array {
  local(() => { if (reply.status === 'ok') checkLength('AuditResponse', 'digest', reply.digest, 32) })
  return AuditResponse.encode({ status: statusToWire(AUDIT, reply.status) as AuditResponse.Status, digest: reply.status === 'ok' ? reply.digest : new Uint8Array(0) })
}

export function decodeAuditResponse (buf: Bytes): AuditReply {
  const m = decodeWith(AuditResponse, 'AuditResponse', buf)
  const status = statusFromWire('AuditResponse', AUDIT, m.status)
  return { status, digest: status === 'ok' ? checkLength('AuditResponse', 'digest', m.digest, 32) : new Uint8Array(0) }
}

// ---- pack/delete ------------------------------------------------------------------------------

const DELETE_DOMAIN = new TextEncoder().encode('p2pbak-delete-v1')

/** The bytes an owner signs to delete a pack: "p2pbak-delete-v1" ‖ owner_key ‖ u64be(time_ms) ‖ utf8(pack_id). */
export function deleteSignedBytes (packId: string, ownerKey: Uint8Array, timeMs: number): Uint8Array {
  checkPackId('delete request', packId)
  checkLength('delete request', 'owner key', ownerKey, OWNER_KEY_LENGTH)
  checkCount('delete request', 'time', timeMs, Number.MAX_SAFE_INTEGER)
  const id = new TextEncoder().encode(packId)
  const out = new Uint8Array(DELETE_DOMAIN.byteLength + OWNER_KEY_LENGTH + 8 + id.byteLength)
  out.set(DELETE_DOMAIN, 0)
  out.set(ownerKey, DELETE_DOMAIN.byteLength)
  new DataView(out.buffer).setBigUint64(DELETE_DOMAIN.byteLength + OWNER_KEY_LENGTH, BigInt(timeMs))
  out.set(id, DELETE_DOMAIN.byteLength + OWNER_KEY_LENGTH + 8)
  return out
}

export function encodeDeleteRequest (query: DeleteQuery): Uint8Array {
  return DeleteRequest.encode(local(() => checkDeleteQuery(query)))
}

export function decodeDeleteRequest (buf: Bytes): DeleteQuery {
  return checkDeleteQuery(decodeWith(DeleteRequest, 'DeleteRequest', buf))
}

function checkDeleteQuery (q: DeleteQuery): DeleteQuery {
  const what = 'DeleteRequest'
  return {
    packId: checkPackId(what, q.packId),
    ownerKey: checkLength(what, 'owner_key', q.ownerKey, OWNER_KEY_LENGTH),
    timeMs: checkCount(what, 'time_ms', q.timeMs, Number.MAX_SAFE_INTEGER),
    signature: checkLength(what, 'signature', q.signature, SIGNATURE_LENGTH)
  }
}

const DELETE_STATUS: Record<string, DeleteStatus> = {
  [DeleteResponse.Status.DELETED]: 'deleted',
  [DeleteResponse.Status.NOT_FOUND]: 'not-found',
  [DeleteResponse.Status.FORBIDDEN]: 'forbidden',
  [DeleteResponse.Status.BAD_REQUEST]: 'bad-request'
}

export function encodeDeleteResponse (status: DeleteStatus): Uint8Array {
  return DeleteResponse.encode({ status: statusToWire(DELETE_STATUS, status) as DeleteResponse.Status })
}

export function decodeDeleteResponse (buf: Bytes): DeleteStatus {
  return statusFromWire('DeleteResponse', DELETE_STATUS, decodeWith(DeleteResponse, 'DeleteResponse', buf).status)
}

// ---- root -------------------------------------------------------------------------------------

export function encodeRootRequest (query: RootQuery): Uint8Array {
  const q = local(() => checkRootQuery(query))
  return RootRequest.encode(q.op === 'put'
    ? { op: RootRequest.Op.PUT, key: q.key, value: q.value }
    : { op: RootRequest.Op.GET, key: q.key })
}

export function decodeRootRequest (buf: Bytes): RootQuery {
  const m = decodeWith(RootRequest, 'RootRequest', buf)
  switch (m.op) {
    case RootRequest.Op.PUT: return checkRootQuery({ op: 'put', key: m.key, value: m.value })
    case RootRequest.Op.GET:
      if (m.value.byteLength !== 0) throw invalid('RootRequest', 'GET carries a value')
      return checkRootQuery({ op: 'get', key: m.key })
    default: throw invalid('RootRequest', `op ${m.op} is not PUT or GET`)
  }
}

function checkRootQuery (q: RootQuery): RootQuery {
  const key = checkRecordKey('RootRequest', q.key)
  if (q.op === 'get') return { op: 'get', key }
  checkCount('RootRequest', 'value length', q.value.byteLength, MAX_RECORD_SIZE)
  return { op: 'put', key, value: q.value }
}

const ROOT_STATUS: Record<string, RootStatus> = {
  [RootResponse.Status.STORED]: 'stored',
  [RootResponse.Status.FOUND]: 'found',
  [RootResponse.Status.NOT_FOUND]: 'not-found',
  [RootResponse.Status.REJECTED]: 'rejected',
  [RootResponse.Status.BAD_REQUEST]: 'bad-request'
}

export function encodeRootResponse (reply: RootReply): Uint8Array {
  const r = local(() => checkRootReply({ ...reply, message: clip(reply.message) }))
  return RootResponse.encode({ status: statusToWire(ROOT_STATUS, r.status) as RootResponse.Status, value: r.value, message: r.message })
}

export function decodeRootResponse (buf: Bytes): RootReply {
  const m = decodeWith(RootResponse, 'RootResponse', buf)
  return checkRootReply({ status: statusFromWire('RootResponse', ROOT_STATUS, m.status), value: m.value, message: m.message })
}

function checkRootReply (r: RootReply): RootReply {
  const what = 'RootResponse'
  checkCount(what, 'value length', r.value.byteLength, MAX_RECORD_SIZE)
  if (r.status !== 'found' && r.value.byteLength !== 0) throw invalid(what, `a value with status ${r.status}`)
  return { status: r.status, value: r.value, message: checkText(what, 'message', r.message) }
}
