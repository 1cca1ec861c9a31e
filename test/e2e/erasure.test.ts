// Erasure coding end to end: nine real daemon processes on 127.0.0.1 (alice with
// redundancy.mode = "erasure", 4 + 2, and eight holders), repair settings shortened to seconds.
// Each pack lands as six shards on six distinct holders; two shard holders are killed for good;
// the surviving holders rebuild the missing shards from any four others, without alice; the
// restore is byte-identical and `check --read-data` passes.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'
import { heldBytes } from '../harness/held.js'

const REPAIR = { goneAfter: '4s', urgentGrace: '3s', checkInterval: '1s', auditInterval: '1s', trimAfter: '1h', scrubRate: '64MiB' }
const dirs = tempDirs()
let root: string
let office: Office
let alice: Machine
let holders: Machine[]
let src: string


beforeAll(async () => {
  root = dirs.make('p2pbak-erasure-e2e-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 4; i++) writeFileSync(join(src, `file-${i}.bin`), prngBytes(`erasure-${i}`, 6 * 1024 * 1024))
  writeFileSync(join(src, 'notes.txt'), 'a small file\n')
  office = new Office({ root: join(root, 'office') })
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'erasure test', config: { repair: REPAIR, redundancy: { mode: 'erasure', dataShards: 4, parityShards: 2 } } })
  await office.start(alice)
  holders = []
  for (let i = 0; i < 8; i++) {
    const m = await office.addMachine(`holder-${i}`, { config: { repair: REPAIR }, bootstrap: [alice] })
    await office.start(m)
    holders.push(m)
  }
  await waitFor(async () => ((await alice.client.status()).swarm.online === 8 ? true : undefined), 60_000, 'eight peers')
}, 180_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('erasure coding 4 + 2 in an office of nine daemons', () => {
  it('stores shards at 1.5× the data, rebuilds the shards of two killed holders, and restores byte-identical', async () => {
    const b = await alice.client.backup({ paths: [src] })
    expect(b.summary.totalFiles).toBe(5)
    const before = await alice.client.status()
    expect(before.owner!.erasure).toEqual({ dataShards: 4, parityShards: 2 })
    expect(before.owner!.packs.total).toBeGreaterThan(0)
    expect(before.owner!.packs.healthy).toBe(before.owner!.packs.total)
    // Storage across the holders: 6/4 of what was packed (plus a few bytes of padding per pack).
    const stored = holders.reduce((n, h) => n + heldBytes(h), 0)
    const packed = b.summary.bytesStored
    expect(stored / packed).toBeGreaterThan(1.45)
    expect(stored / packed).toBeLessThan(1.6)

    // The two holders keeping the most shards die for good (their lost bytes: what repair rebuilds).
    const victims = [...holders].sort((x, y) => heldBytes(y) - heldBytes(x)).slice(0, 2)
    const lost = victims.reduce((n, v) => n + heldBytes(v), 0)
    expect(lost).toBeGreaterThan(0)
    for (const v of victims) await office.stop(v, 'SIGKILL')
    const survivors = holders.filter(h => !victims.includes(h))
    const status = await waitFor(async () => {
      const s = await alice.client.status()
      return s.swarm.gone === 2 && s.owner!.packs.healthy === s.owner!.packs.total ? s : undefined
    }, 90_000, 'every pack back to six shards on six live holders', 500)
    expect(status.owner!.packs.lost).toBe(0)
    let sent = 0
    let fetched = 0
    for (const h of survivors) {
      const s = await h.client.status()
      sent += s.repair.bytesSent
      fetched += s.repair.bytesFetched
    }
    // Exactly the lost shards are sent again; rebuilding each needs k shards fetched (minus the coordinator's own).
    expect(sent).toBe(lost)
    expect(fetched).toBeLessThanOrEqual(4 * lost)

    const target = join(root, 'restore')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
    const c = await alice.client.check({ readData: true })
    expect(c.ok).toBe(true)
  })
})
