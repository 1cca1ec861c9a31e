// Records kept by holders and the DHT: only valid records, newest wins, no rollback, the first
// claimant of an owner name keeps it.
import { describe, expect, it } from 'vitest'
import { createKeyFile, deriveKeys, encodeKeyFile, generateMasterKey } from '../../../daemon/crypto/index.js'
import { keyRecordKey } from '../../../daemon/owner.js'
import { rootRecordKey } from '../../../daemon/repository/constants.js'
import { RootRecord } from '../../../daemon/repository/pb/repo.js'
import { rootSignedBytes } from '../../../daemon/repository/repository.js'
import { checkRecord, createDhtValidator, dhtRecordKey, dhtSelector, encodeEnvelope, mayReplace, selectRecord } from '../../../daemon/swarm/records.js'

const keys = deriveKeys(generateMasterKey())
const other = deriveKeys(generateMasterKey())

function root (k: typeof keys, seq: bigint): Uint8Array {
  const r: RootRecord = { version: 1, ownerKey: k.publicKey, seq, payload: new Uint8Array([1, 2, 3]), signature: new Uint8Array(0) }
  r.signature = k.sign(rootSignedBytes(r))
  return RootRecord.encode(r)
}

const rootKey = rootRecordKey(keys.ownerId)

describe('records', () => {
  it('accepts a root record only under its signer\'s name, and refuses forgeries', () => {
    expect(checkRecord(rootKey, root(keys, 1n))).toBeUndefined()
    expect(checkRecord(rootRecordKey(other.ownerId), root(keys, 1n))).toMatch(/another owner/)
    const forged = RootRecord.decode(root(keys, 5n))
    forged.seq = 6n
    expect(checkRecord(rootKey, RootRecord.encode(forged))).toMatch(/signature/)
    expect(checkRecord(rootKey, new Uint8Array([1, 2, 3]))).toMatch(/invalid root record/)
  })

  it('never lets a lower root sequence replace a higher one, whatever the envelope says', () => {
    const cur = { seq: 10n, value: root(keys, 5n) }
    expect(mayReplace(rootKey, cur, { seq: 11n, value: root(keys, 6n) })).toBe(true)
    expect(mayReplace(rootKey, cur, { seq: 11n, value: root(keys, 4n) })).toBe(false)
    expect(mayReplace(rootKey, cur, { seq: 9n, value: root(keys, 7n) })).toBe(false)
    const best = selectRecord(rootKey, [encodeEnvelope({ seq: 3n, value: root(keys, 3n) }), encodeEnvelope({ seq: 8n, value: root(keys, 8n) }), new Uint8Array([0])])
    expect(best?.seq).toBe(8n)
  })

  it('the first claimant of an owner name keeps it', () => {
    const a = encodeKeyFile(createKeyFile({ ownerName: 'alice', passphrase: 'one' }).keyFile)
    const b = encodeKeyFile(createKeyFile({ ownerName: 'alice', passphrase: 'two' }).keyFile)
    const k = keyRecordKey('alice')
    expect(checkRecord(k, a)).toBeUndefined()
    expect(checkRecord(keyRecordKey('bob'), a)).toMatch(/another owner name/)
    expect(mayReplace(k, { seq: 1n, value: a }, { seq: 2n, value: b })).toBe(false)
  })

  it('the DHT validator refuses a replayed older record once it has seen a newer one', () => {
    const validate = createDhtValidator()
    const dk = dhtRecordKey(rootKey)
    const v1 = encodeEnvelope({ seq: 1n, value: root(keys, 1n) })
    const v2 = encodeEnvelope({ seq: 2n, value: root(keys, 2n) })
    validate(dk, v1)
    validate(dk, v2)
    expect(() => validate(dk, v1)).toThrow(/older/)
    expect(() => validate(dk, new Uint8Array(20))).toThrow()
    expect(dhtSelector(dk, [v1, v2, v1])).toBe(1)
  })
})
