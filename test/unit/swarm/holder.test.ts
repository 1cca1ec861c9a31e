// The holder: quota, hash and size checks before anything is stored, and owner claims so that
// only the owner's signature removes its copy.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveKeys, generateMasterKey } from '../../../daemon/crypto/index.js'
import { Holder } from '../../../daemon/swarm/holder.js'
import { deleteSignedBytes } from '../../../protocol/index.js'
import { packIdOf } from '../../../protocol/ids.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
let holder: Holder
afterEach(async () => { await holder?.close(); dirs.cleanup() })

async function * once (b: Uint8Array): AsyncIterable<Uint8Array> { yield b }

async function make (quota = 1e9): Promise<Holder> {
  holder = new Holder({ dir: dirs.make('p2pbak-holder-'), quota, reserve: 0, domain: 'room-1', diskFree: () => 1e12 })
  await holder.open()
  return holder
}

function del (keys: ReturnType<typeof deriveKeys>, packId: string, timeMs = Date.now()): Parameters<Holder['remove']>[0] {
  const signed = deleteSignedBytes(packId, keys.publicKey, timeMs)
  return { packId, ownerKey: keys.publicKey, timeMs, signature: keys.sign(signed), signed }
}

describe('holder', () => {
  const alice = deriveKeys(generateMasterKey())
  const mallory = deriveKeys(generateMasterKey())
  const pack = Buffer.from('a pack of encrypted blobs '.repeat(50))
  const id = packIdOf(pack)
  const req = (keys: typeof alice, size = pack.length): { packId: string, size: number, ownerKey: Uint8Array, from: string } => ({ packId: id, size, ownerKey: keys.publicKey, from: 'peer' })

  it('stores only bytes of the announced size that hash to the ID, leaving nothing otherwise', async () => {
    const h = await make()
    const bad = Buffer.from(pack)
    bad[3] = bad[3]! ^ 1
    expect(await h.receive(req(alice), once(bad))).toBe('hash-mismatch')
    expect(await h.receive(req(alice, pack.length - 1), once(pack))).toBe('size-mismatch')
    expect(h.isHeld(id)).toBe(false)
    expect(h.info().used).toBe(0)
    expect(await h.receive(req(alice), once(pack))).toBe('durable')
    expect(Buffer.from((await h.read(id))!)).toEqual(pack)
    expect(h.info()).toMatchObject({ used: pack.length, domain: 'room-1' })
  })

  it('a transfer that breaks off leaves nothing behind, not even a temporary file', async () => {
    const h = await make()
    async function * broken (): AsyncIterable<Uint8Array> {
      yield pack.subarray(0, 100)
      throw new Error('stream reset')
    }
    await expect(h.receive(req(alice), broken())).rejects.toThrow('stream reset')
    const dir = (h as unknown as { options: { dir: string } }).options.dir
    expect(readdirSync(join(dir, 'store', 'tmp'))).toEqual([])
    expect(h.isHeld(id)).toBe(false)
    expect(h.info().used).toBe(0)
    // In several pieces, it lands.
    async function * pieces (): AsyncIterable<Uint8Array> { for (let o = 0; o < pack.length; o += 97) yield pack.subarray(o, o + 97) }
    expect(await h.receive(req(alice), pieces())).toBe('durable')
    expect(Buffer.from((await h.read(id))!)).toEqual(pack)
  })

  it('a second sender of a pack is BUSY from the moment the first was told READY, before any byte flows', async () => {
    // Two repair coordinators admitted in the same instant: the second must wait (BUSY), not be
    // refused, or it would copy the pack to yet another peer.
    const h = await make()
    const first = { ...req(alice), from: 'coordinator-a' }
    const second = { ...req(alice), from: 'coordinator-b' }
    expect(h.admit(first)).toBe('ready')
    expect(h.admit(second)).toBe('busy')
    expect(await h.receive(first, once(pack))).toBe('durable')
    expect(h.admit(second)).toBe('already-held')
  })

  it('refuses what exceeds its quota before any byte flows', async () => {
    const h = await make(100)
    expect(h.admit(req(alice))).toBe('quota-exceeded')
  })

  it('a peer that has the bytes cannot delete the owner\'s copy; the file goes with the last claim', async () => {
    const h = await make()
    expect(await h.receive(req(alice), once(pack))).toBe('durable')
    // Mallory saw the bytes: it must send them to earn a claim (no "already held" shortcut).
    expect(h.admit(req(mallory))).toBe('ready')
    expect(h.admit(req(alice))).toBe('already-held')
    expect(await h.remove(del(mallory, id))).toBe('forbidden')
    expect(await h.receive(req(mallory), once(pack))).toBe('durable')
    expect(h.info().used).toBe(pack.length) // one file, two claims
    expect(await h.remove(del(mallory, id))).toBe('deleted')
    expect(h.isHeld(id)).toBe(true)
    // A stale or forged delete is refused.
    expect(await h.remove(del(alice, id, Date.now() - 2 * 24 * 3600 * 1000))).toBe('forbidden')
    const forged = del(alice, id)
    forged.signature = mallory.sign(forged.signed)
    expect(await h.remove(forged)).toBe('forbidden')
    expect(await h.remove(del(alice, id))).toBe('deleted')
    expect(h.isHeld(id)).toBe(false)
    expect(h.info().used).toBe(0)
  })

  it('a range outside the pack is a RangeError (answered BAD_RANGE on the wire)', async () => {
    const h = await make()
    await h.receive(req(alice), once(pack))
    await expect(h.read(id, { offset: pack.length, length: 10 })).rejects.toThrow(RangeError)
  })

  it('forgets table rows whose files are gone (a crash between rename and insert is the other way round)', async () => {
    const h = await make()
    await h.receive(req(alice), once(pack))
    const dir = (h as unknown as { options: { dir: string } }).options.dir
    const shard = readdirSync(join(dir, 'store', 'packs'))[0]!
    rmSync(join(dir, 'store', 'packs', shard, id))
    await h.open()
    expect(h.isHeld(id)).toBe(false)
    expect(h.info().used).toBe(0)
  })
})
