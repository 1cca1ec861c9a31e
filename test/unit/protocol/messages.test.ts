// Codecs of the swarm messages: round trips, rule checks, and fuzzing. Every decoder, given
// arbitrary bytes or a mutated valid encoding, returns a valid value or throws ProtocolError, and
// never allocates out of proportion to its input (repeated fields are capped with protons limits).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AUDIT_NONCE_LENGTH, MAX_HAS_BATCH, MAX_PACK_SIZE, MAX_RECORD_SIZE, MAX_REPLICAS, ProtocolError, packIdOf } from '../../../protocol/index.js'
import * as m from '../../../protocol/messages.js'
import { AuditResponse, DeleteRequest, GetRequest, HasRequest, HasResponse, PutRequest, RootRequest, StripeRequest, StripeResponse } from '../../../protocol/pb/swarm.js'

const RUNS = 1000

const packIdArb = fc.uint8Array({ maxLength: 40 }).map((b) => packIdOf(b))
const keyArb = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const sizeArb = fc.integer({ min: 0, max: MAX_PACK_SIZE })
const textArb = fc.string({ maxLength: 40 })

type Decoder = (buf: Uint8Array) => unknown
const decoders: Record<string, Decoder> = {
  InfoRequest: m.decodeInfoRequest,
  InfoResponse: m.decodeInfoResponse,
  PutRequest: m.decodePutRequest,
  PutReady: m.decodePutReady,
  PutResult: m.decodePutResult,
  GetRequest: m.decodeGetRequest,
  GetResponse: m.decodeGetResponse,
  HasRequest: m.decodeHasRequest,
  HasResponse: m.decodeHasResponse,
  DeleteRequest: m.decodeDeleteRequest,
  DeleteResponse: m.decodeDeleteResponse,
  RootRequest: m.decodeRootRequest,
  RootResponse: m.decodeRootResponse,
  AuditRequest: m.decodeAuditRequest,
  AuditResponse: m.decodeAuditResponse,
  Stripe: m.decodeStripe,
  StripeRequest: m.decodeStripeRequest,
  StripeResponse: (buf) => m.decodeStripeResponse(buf, 64)
}

const sampleStripe: m.StripeDescriptor = {
  version: 1, code: 1, packId: packIdOf(new Uint8Array(10)), packSize: 1000, dataShards: 4, parityShards: 2, shardSize: 256,
  shardIds: [0, 1, 2, 3, 4, 5].map(i => packIdOf(new Uint8Array([i])))
}

/** A sample valid encoding of each message, for mutation fuzzing. */
const samples: Record<string, Uint8Array> = {
  InfoRequest: m.encodeInfoRequest(),
  InfoResponse: m.encodeInfoResponse({ version: '1.0.0', free: 5e9, quota: 1e10, used: 5e9, domain: 'room-2', agent: 'p2pbak/0.1.0' }),
  PutRequest: m.encodePutRequest({ packId: packIdOf(new Uint8Array(1)), size: 16 << 20, ownerKey: new Uint8Array(32).fill(7), replicas: 3, origin: '12D3KooWorigin' }),
  AuditRequest: m.encodeAuditRequest(packIdOf(new Uint8Array(9)), new Uint8Array(32).fill(3)),
  AuditResponse: m.encodeAuditResponse({ status: 'ok', digest: new Uint8Array(32).fill(4) }),
  PutReady: m.encodePutReady({ status: 'quota-exceeded', message: 'full' }),
  PutResult: m.encodePutResult({ status: 'durable', message: '' }),
  GetRequest: m.encodeGetRequest({ packId: packIdOf(new Uint8Array(2)), range: { offset: 100, length: 2000 } }),
  GetResponse: m.encodeGetResponse({ status: 'ok', size: 123456 }),
  HasRequest: m.encodeHasRequest([packIdOf(new Uint8Array(3)), packIdOf(new Uint8Array(4))]),
  HasResponse: m.encodeHasResponse([true, false, true]),
  DeleteRequest: m.encodeDeleteRequest({ packId: packIdOf(new Uint8Array(5)), ownerKey: new Uint8Array(32).fill(1), timeMs: 1_700_000_000_000, signature: new Uint8Array(64).fill(2) }),
  DeleteResponse: m.encodeDeleteResponse('forbidden'),
  RootRequest: m.encodeRootRequest({ op: 'put', key: 'root-abc', value: new Uint8Array(300).fill(9) }),
  RootResponse: m.encodeRootResponse({ status: 'found', value: new Uint8Array(20), message: '' }),
  Stripe: m.encodeStripe(sampleStripe),
  StripeRequest: m.encodeStripeRequest([packIdOf(new Uint8Array(11))]),
  StripeResponse: m.encodeStripeResponse([{ index: 0, shardIndexes: [2, 5], stripe: sampleStripe }], 1)
}

/** Runs `fn` with Buffer allocations counted; fails if they pass `cap`. */
function withAllocationCap<T> (cap: number, fn: () => T): T {
  const B = Buffer as unknown as Record<'alloc' | 'allocUnsafe' | 'allocUnsafeSlow', (size: number, ...rest: unknown[]) => Buffer>
  const names = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const
  const saved = names.map((n) => B[n])
  let total = 0
  names.forEach((n, i) => {
    B[n] = function (this: unknown, size: number, ...rest: unknown[]) {
      total += size
      if (total > cap) throw new Error(`decoder allocated ${total} bytes, cap ${cap}`)
      return saved[i]!.call(this, size, ...rest)
    }
  })
  try {
    return fn()
  } finally {
    names.forEach((n, i) => { B[n] = saved[i]! })
  }
}

function expectOnlyProtocolErrors (decode: Decoder, input: Uint8Array): void {
  try {
    withAllocationCap(64 * 1024 + input.byteLength * 4, () => decode(input))
  } catch (err) {
    if (!(err instanceof ProtocolError)) {
      throw new Error(`decoder threw ${(err as Error)?.name}: ${(err as Error)?.message} on ${Buffer.from(input).toString('hex').slice(0, 200)}`, { cause: err })
    }
    expect(['MALFORMED', 'INVALID']).toContain(err.code)
  }
}

const mutationArb = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x10, 0x18) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('hugeVarint' as const), pos: fc.nat() })
), { minLength: 1, maxLength: 4 })

type Mutations = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never

function mutate (input: Uint8Array, mutations: Mutations): Uint8Array {
  let b = Buffer.from(input)
  for (const mu of mutations) {
    const pos = b.byteLength === 0 ? 0 : mu.pos % b.byteLength
    switch (mu.kind) {
      case 'flip': if (b.byteLength > 0) b[pos]! ^= 1 << mu.bit; break
      case 'set': if (b.byteLength > 0) b[pos] = mu.value; break
      case 'truncate': b = b.subarray(0, pos); break
      case 'insert': b = Buffer.concat([b.subarray(0, pos), mu.bytes, b.subarray(pos)]); break
      case 'hugeVarint': b = Buffer.concat([b.subarray(0, pos), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), b.subarray(pos)]); break
    }
  }
  return new Uint8Array(b)
}

describe('decoders under fuzzing', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: arbitrary bytes give a value or a ProtocolError`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => { expectOnlyProtocolErrors(decode, bytes) }), { numRuns: RUNS })
    })
    it(`${name}: mutated valid encodings give a value or a ProtocolError`, () => {
      fc.assert(fc.property(mutationArb, (mutations) => { expectOnlyProtocolErrors(decode, mutate(samples[name]!, mutations)) }), { numRuns: RUNS })
    })
  }
})

describe('round trips', () => {
  it('AuditRequest and AuditResponse', () => {
    fc.assert(fc.property(packIdArb, keyArb(AUDIT_NONCE_LENGTH), keyArb(32), (packId, nonce, digest) => {
      expect(m.decodeAuditRequest(m.encodeAuditRequest(packId, nonce))).toEqual({ packId, nonce })
      expect(m.decodeAuditResponse(m.encodeAuditResponse({ status: 'ok', digest }))).toEqual({ status: 'ok', digest })
      expect(m.decodeAuditResponse(m.encodeAuditResponse({ status: 'not-found', digest: new Uint8Array(0) }))).toEqual({ status: 'not-found', digest: new Uint8Array(0) })
    }), { numRuns: 200 })
    expect(() => m.encodeAuditRequest(packIdOf(new Uint8Array(1)), new Uint8Array(8))).toThrow(/nonce/)
    expect(() => m.decodeAuditResponse(AuditResponse.encode({ status: AuditResponse.Status.OK, digest: new Uint8Array(5) }))).toThrow(/digest/)
  })

  it('PutRequest', () => {
    fc.assert(fc.property(packIdArb, sizeArb, keyArb(32), fc.integer({ min: 0, max: MAX_REPLICAS }), textArb, (packId, size, ownerKey, replicas, origin) => {
      expect(m.decodePutRequest(m.encodePutRequest({ packId, size, ownerKey, replicas, origin }))).toEqual({ packId, size, ownerKey, replicas, origin })
      // Fields 4 and 5 are optional: a sender that does not know them (an older version) is read as "not said".
      expect(m.decodePutRequest(m.encodePutRequest({ packId, size, ownerKey }))).toEqual({ packId, size, ownerKey, replicas: 0, origin: '' })
    }), { numRuns: 200 })
  })
  it('PutRequest with a stripe (erasure mode)', () => {
    const header = { packId: sampleStripe.shardIds[4]!, size: 256, ownerKey: new Uint8Array(32).fill(1), replicas: 1, origin: 'o', stripe: sampleStripe, shardIndex: 4 }
    expect(m.decodePutRequest(m.encodePutRequest(header))).toEqual(header)
    // The shard must be the stripe's shard at that index, with the stripe's shard size.
    const invalidArg = expect.objectContaining({ code: 'INVALID_ARGUMENT' })
    expect(() => m.encodePutRequest({ ...header, shardIndex: 3 })).toThrow(invalidArg)
    expect(() => m.encodePutRequest({ ...header, size: 255 })).toThrow(invalidArg)
    expect(() => m.decodePutRequest(PutRequest.encode({ ...header, stripe: m.encodeStripe(sampleStripe), shardIndex: 6 }))).toThrow(expect.objectContaining({ code: 'INVALID' }))
  })
  it('Stripe, StripeRequest and StripeResponse', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: MAX_PACK_SIZE }), (k, parity, packSize) => {
      const stripe = { version: 1, code: 1, packId: packIdOf(new Uint8Array([k, parity])), packSize, dataShards: k, parityShards: parity, shardSize: m.stripeShardSize(packSize, k), shardIds: Array.from({ length: k + parity }, (_, i) => packIdOf(new Uint8Array([i, k]))) }
      expect(m.decodeStripe(m.encodeStripe(stripe))).toEqual(stripe)
      const hits = [{ index: 1, shardIndexes: [0, k + parity - 1], stripe }]
      expect(m.decodeStripeResponse(m.encodeStripeResponse(hits, 2), 2)).toEqual(hits)
    }), { numRuns: 100 })
    const ids = [packIdOf(new Uint8Array(1)), packIdOf(new Uint8Array(2))]
    expect(m.decodeStripeRequest(m.encodeStripeRequest(ids))).toEqual(ids)
  })
  it('GetRequest, whole and ranged', () => {
    fc.assert(fc.property(packIdArb, fc.option(fc.record({ offset: fc.integer({ min: 0, max: MAX_PACK_SIZE / 2 }), length: fc.integer({ min: 0, max: MAX_PACK_SIZE / 2 }) }), { nil: undefined }), (packId, range) => {
      const q = range === undefined ? { packId } : { packId, range }
      expect(m.decodeGetRequest(m.encodeGetRequest(q))).toEqual(q)
    }), { numRuns: 200 })
  })
  it('DeleteRequest', () => {
    fc.assert(fc.property(packIdArb, keyArb(32), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), keyArb(64), (packId, ownerKey, timeMs, signature) => {
      const q = { packId, ownerKey, timeMs, signature }
      expect(m.decodeDeleteRequest(m.encodeDeleteRequest(q))).toEqual(q)
    }), { numRuns: 200 })
  })
  it('InfoResponse', () => {
    const n = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
    fc.assert(fc.property(textArb, n, n, n, textArb, textArb, n, fc.boolean(), fc.boolean(), (version, free, quota, used, domain, agent, awayUntil, leaving, ephemeral) => {
      const info = { version, free, quota, used, domain, agent, awayUntil, leaving, ephemeral }
      expect(m.decodeInfoResponse(m.encodeInfoResponse(info))).toEqual(info)
      // Fields 7 to 9 are optional: an older holder's answer reads as "not away, not leaving, not ephemeral".
      expect(m.decodeInfoResponse(m.encodeInfoResponse({ version, free, quota, used, domain, agent }))).toEqual({ ...info, awayUntil: 0, leaving: false, ephemeral: false })
    }), { numRuns: 200 })
  })
  it('RootRequest and RootResponse', () => {
    const key = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,127}$/)
    fc.assert(fc.property(key, fc.uint8Array({ maxLength: 2000 }), (k, value) => {
      expect(m.decodeRootRequest(m.encodeRootRequest({ op: 'put', key: k, value }))).toEqual({ op: 'put', key: k, value })
      expect(m.decodeRootRequest(m.encodeRootRequest({ op: 'get', key: k }))).toEqual({ op: 'get', key: k })
      expect(m.decodeRootResponse(m.encodeRootResponse({ status: 'found', value, message: '' }))).toEqual({ status: 'found', value, message: '' })
    }), { numRuns: 200 })
  })
  it('statuses', () => {
    for (const s of ['ready', 'already-held', 'quota-exceeded', 'too-large', 'bad-request', 'busy'] as const) expect(m.decodePutReady(m.encodePutReady({ status: s, message: 'x' })).status).toBe(s)
    for (const s of ['durable', 'hash-mismatch', 'size-mismatch', 'quota-exceeded', 'no-space', 'internal'] as const) expect(m.decodePutResult(m.encodePutResult({ status: s, message: '' })).status).toBe(s)
    for (const s of ['deleted', 'not-found', 'forbidden', 'bad-request'] as const) expect(m.decodeDeleteResponse(m.encodeDeleteResponse(s))).toBe(s)
    for (const s of ['not-found', 'bad-range', 'bad-request'] as const) expect(m.decodeGetResponse(m.encodeGetResponse({ status: s, size: 0 }))).toEqual({ status: s, size: 0 })
  })
})

describe('rules', () => {
  const id = packIdOf(new Uint8Array(1))
  const invalid = { name: 'ProtocolError', code: 'INVALID' }

  it('refuses pack IDs that are not canonical raw sha2-256 CIDv1', () => {
    for (const packId of ['', '../etc/passwd', id.toUpperCase(), `${id}x`, 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi']) {
      expect(() => m.decodePutRequest(PutRequest.encode({ packId, size: 1, ownerKey: new Uint8Array(32) }))).toThrow(expect.objectContaining(invalid))
      expect(() => m.encodePutRequest({ packId, size: 1, ownerKey: new Uint8Array(32) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
  })

  it('refuses sizes beyond MAX_PACK_SIZE and owner keys that are not 32 bytes', () => {
    expect(() => m.decodePutRequest(PutRequest.encode({ packId: id, size: MAX_PACK_SIZE + 1, ownerKey: new Uint8Array(32) }))).toThrow(expect.objectContaining(invalid))
    // size = 2^60 (field 2, varint), beyond what a JS number holds exactly
    const huge = new Uint8Array([...PutRequest.encode({ packId: id, ownerKey: new Uint8Array(32) }), 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])
    expect(() => m.decodePutRequest(huge)).toThrow(ProtocolError) // protons refuses varints beyond 2^53 (MALFORMED)
    expect(() => m.decodePutRequest(PutRequest.encode({ packId: id, size: 1, ownerKey: new Uint8Array(33) }))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodePutRequest(PutRequest.encode({ packId: id, size: 1, ownerKey: new Uint8Array(0) }))).toThrow(expect.objectContaining(invalid))
  })

  it('refuses stripes that break a rule, and hits that point outside the request', () => {
    const bad: Array<Partial<m.StripeDescriptor>> = [
      { version: 2 }, { code: 0 }, { dataShards: 0 }, { dataShards: 25 }, { parityShards: 0 }, { parityShards: 7 },
      { shardSize: 255 }, { shardIds: sampleStripe.shardIds.slice(1) }, { shardIds: [...sampleStripe.shardIds.slice(1), 'x'] }, { packId: 'nope' }
    ]
    for (const b of bad) {
      expect(() => m.encodeStripe({ ...sampleStripe, ...b })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
    // a hit for entry 1 when one ID was asked; a hit with no shard; a shard index beyond the stripe
    const raw = (index: number, shardIndexes: number[]): Uint8Array => StripeResponse.encode({ hits: [{ index, shardIndexes, stripe: m.encodeStripe(sampleStripe) }] })
    expect(() => m.decodeStripeResponse(raw(1, [0]), 1)).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeStripeResponse(raw(0, []), 1)).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeStripeResponse(raw(0, [6]), 1)).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeStripeRequest(StripeRequest.encode({ packIds: Array.from({ length: 65 }, (_, i) => packIdOf(new Uint8Array([i]))) }))).toThrow(ProtocolError)
  })

  it('refuses a missing status (field absent on the wire)', () => {
    expect(() => m.decodePutReady(new Uint8Array(0))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeGetResponse(new Uint8Array(0))).toThrow(expect.objectContaining(invalid))
  })

  it('refuses ranges that end beyond MAX_PACK_SIZE and whole requests that carry a range', () => {
    expect(() => m.decodeGetRequest(GetRequest.encode({ packId: id, offset: MAX_PACK_SIZE, length: 1, whole: false }))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeGetRequest(GetRequest.encode({ packId: id, offset: 1, length: 0, whole: true }))).toThrow(expect.objectContaining(invalid))
  })

  it('caps repeated fields at MAX_HAS_BATCH while decoding', () => {
    const ids = Array.from({ length: MAX_HAS_BATCH + 1 }, () => id)
    expect(() => m.decodeHasRequest(HasRequest.encode({ packIds: ids }))).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'MALFORMED' }))
    expect(m.decodeHasRequest(HasRequest.encode({ packIds: ids.slice(1) }))).toHaveLength(MAX_HAS_BATCH)
    expect(() => m.decodeHasResponse(HasResponse.encode({ held: new Array(MAX_HAS_BATCH + 1).fill(true) }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => m.encodeHasRequest(ids)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('checks delete key and signature lengths', () => {
    const base = { packId: id, ownerKey: new Uint8Array(32), timeMs: 1, signature: new Uint8Array(64) }
    expect(() => m.decodeDeleteRequest(DeleteRequest.encode({ ...base, signature: new Uint8Array(63) }))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeDeleteRequest(DeleteRequest.encode({ ...base, ownerKey: new Uint8Array(31) }))).toThrow(expect.objectContaining(invalid))
  })

  it('checks record keys and sizes', () => {
    for (const key of ['', '-lead', 'Upper', 'a/b', 'x'.repeat(129)]) {
      expect(() => m.decodeRootRequest(RootRequest.encode({ op: RootRequest.Op.GET, key }))).toThrow(expect.objectContaining(invalid))
    }
    expect(() => m.decodeRootRequest(RootRequest.encode({ op: RootRequest.Op.PUT, key: 'k', value: new Uint8Array(MAX_RECORD_SIZE + 1) }))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeRootRequest(RootRequest.encode({ op: RootRequest.Op.GET, key: 'k', value: new Uint8Array(1) }))).toThrow(expect.objectContaining(invalid))
    expect(() => m.decodeRootRequest(RootRequest.encode({ op: RootRequest.Op.UNKNOWN, key: 'k' }))).toThrow(expect.objectContaining(invalid))
  })

  it('deleteSignedBytes is "p2pbak-delete-v1" ‖ owner_key ‖ u64be(time_ms) ‖ utf8(pack_id)', () => {
    const ownerKey = new Uint8Array(32).map((_, i) => i)
    const bytes = m.deleteSignedBytes(id, ownerKey, 0x0102030405)
    expect(Buffer.from(bytes.subarray(0, 16)).toString()).toBe('p2pbak-delete-v1')
    expect(bytes.subarray(16, 48)).toEqual(ownerKey)
    expect(Buffer.from(bytes.subarray(48, 56)).toString('hex')).toBe('0000000102030405')
    expect(Buffer.from(bytes.subarray(56)).toString()).toBe(id)
    expect(() => m.deleteSignedBytes('nope', ownerKey, 1)).toThrow(ProtocolError)
  })

  it('cuts long text instead of producing a frame the peer would refuse', () => {
    const reply = m.decodePutReady(m.encodePutReady({ status: 'busy', message: 'x'.repeat(5000) }))
    expect(reply.message).toHaveLength(1024)
  })
})
