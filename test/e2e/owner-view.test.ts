// The owner's view of its packs follows the holders' repairs within two of its check rounds:
// real daemon processes on 127.0.0.1 (alice and four holders, r = 3). A holder dies; alice sees
// its packs degraded (she counts it gone sooner than the holders, so the window is certain); the
// holders copy the lost copies; from the moment every pack is on three live machines again,
// `status` says healthy within two of alice's check rounds.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'
import { heldFiles } from '../harness/held.js'

const CHECK_MS = 2000
const OWNER_REPAIR = { goneAfter: '3s', urgentGrace: '3s', checkInterval: `${CHECK_MS}ms`, auditInterval: '1h', trimAfter: '1h', scrubRate: '1GiB' }
const HOLDER_REPAIR = { ...OWNER_REPAIR, goneAfter: '7s', urgentGrace: '7s', checkInterval: '1s' }
const dirs = tempDirs()
let office: Office
let alice: Machine
let holders: Machine[]
let src: string

beforeAll(async () => {
  const root = dirs.make('p2pbak-owner-view-e2e-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 3; i++) writeFileSync(join(src, `file-${i}.bin`), prngBytes(`owner-view-${i}`, 3 * 1024 * 1024))
  office = new Office({ root: join(root, 'office') })
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'owner view test', config: { repair: OWNER_REPAIR } })
  await office.start(alice)
  holders = []
  for (const name of ['bob', 'carol', 'dave', 'erin']) {
    const m = await office.addMachine(name, { config: { repair: HOLDER_REPAIR }, bootstrap: [alice] })
    await office.start(m)
    holders.push(m)
  }
  await waitFor(async () => ((await alice.client.status()).swarm.online === 4 ? true : undefined), 30_000, 'four peers')
}, 120_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('the owner\'s view after a repair', () => {
  it('status goes from degraded to healthy within two of the owner\'s check rounds after the holders made the copies', async () => {
    await alice.client.backup({ paths: [src] })
    const packs = new Set(holders.flatMap(h => [...heldFiles(h).keys()]))
    expect(packs.size).toBeGreaterThan(0)
    await waitFor(async () => { const s = await alice.client.status(); return s.owner!.packs.total === packs.size && s.owner!.packs.healthy === packs.size ? true : undefined }, 30_000, 'every pack healthy')
    const victim = [...holders].sort((a, b) => heldFiles(b).size - heldFiles(a).size)[0]!
    await office.stop(victim, 'SIGKILL')
    const live = holders.filter(h => h !== victim)
    // Alice counts the victim gone after 3 s, the holders only after 7 s: she reports the packs
    // it held as degraded before anyone repairs them.
    await waitFor(async () => { const s = await alice.client.status(); return s.swarm.gone === 1 && s.owner!.packs.degraded > 0 ? true : undefined }, 30_000, 'alice to see degraded packs', 100)
    // The holders rebuild: the moment every pack is on three live machines again.
    await waitFor(async () => [...packs].every(id => live.filter(h => heldFiles(h).has(id)).length >= 3) ? true : undefined, 60_000, 'three live copies of every pack', 50)
    const copied = Date.now()
    await waitFor(async () => { const s = await alice.client.status(); return s.owner!.packs.healthy === packs.size ? true : undefined }, 30_000, 'alice to see every pack healthy', 50)
    const lag = Date.now() - copied
    // Two check rounds, plus what one status call and the file polling above may take.
    expect(lag).toBeLessThanOrEqual(2 * CHECK_MS + 1000)
    const s = await alice.client.status()
    expect(s.owner!.packs).toMatchObject({ degraded: 0, atRisk: 0, lost: 0 })
  }, 180_000)
})
