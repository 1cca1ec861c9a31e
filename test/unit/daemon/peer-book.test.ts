// The peer book: every peer met, persisted, online while connected, absent for `goneAfter` after
// its last connection, gone after that.
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_PLANNED_ABSENCE_MS, PeerBook } from '../../../daemon/peer-book.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
const HOUR = 3600_000
const goneAfter = 24 * HOUR
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)

let t = T0
const opened: PeerBook[] = []
afterEach(async () => {
  for (const b of opened.splice(0)) {
    try { b.close() } catch {} // already closed by the test
  }
  dirs.cleanup()
  t = T0
})

function open (path: string): PeerBook {
  const b = new PeerBook({ path, goneAfter, now: () => t })
  opened.push(b)
  return b
}

const dbPath = (): string => join(dirs.make('p2pbak-peers-'), 'peers.sqlite')

describe('PeerBook', () => {
  it('a peer never met is gone and has no entry', async () => {
    const book = open(dbPath())
    expect(book.liveness('stranger')).toBe('gone')
    expect(book.get('stranger')).toBeUndefined()
    expect(book.list()).toEqual([])
  })

  it('online while connected, absent until goneAfter since the last connection, gone from then on', async () => {
    const book = open(dbPath())
    book.connected('alice')
    expect(book.liveness('alice')).toBe('online')
    t += 5 * HOUR
    expect(book.liveness('alice')).toBe('online') // still connected, however long
    book.disconnected('alice')
    const left = t
    expect(book.liveness('alice')).toBe('absent')
    t = left + goneAfter - 1
    expect(book.liveness('alice')).toBe('absent')
    t = left + goneAfter
    expect(book.liveness('alice')).toBe('gone')
    // It comes back.
    book.connected('alice')
    expect(book.liveness('alice')).toBe('online')
    expect(book.get('alice')).toMatchObject({ firstSeen: T0, lastSeen: t, liveness: 'online' })
  })

  it('a planned absence keeps a peer absent past goneAfter until it ends (at most MAX_PLANNED_ABSENCE_MS); leaving makes it gone at once', async () => {
    const book = open(dbPath())
    book.connected('bob')
    book.info('bob', { free: 1, quota: 2, used: 1, domain: '', awayUntil: t + 14 * 24 * HOUR })
    book.disconnected('bob')
    const left = t
    t = left + goneAfter + 1
    expect(book.liveness('bob')).toBe('absent') // away for two weeks: not gone after a day
    expect(book.get('bob')?.awayUntil).toBe(left + 14 * 24 * HOUR)
    t = left + 14 * 24 * HOUR
    expect(book.liveness('bob')).toBe('gone') // the absence is over and it has not come back
    expect(book.get('bob')?.awayUntil).toBeUndefined()

    // An absence announced for a year counts for MAX_PLANNED_ABSENCE_MS only.
    book.connected('carol')
    book.info('carol', { free: 1, quota: 2, used: 1, domain: '', awayUntil: t + 365 * 24 * HOUR })
    book.disconnected('carol')
    const carolLeft = t
    t = carolLeft + MAX_PLANNED_ABSENCE_MS - 1
    expect(book.liveness('carol')).toBe('absent')
    t = carolLeft + MAX_PLANNED_ABSENCE_MS
    expect(book.liveness('carol')).toBe('gone')

    // Leaving: online while connected, gone the moment it disconnects.
    book.connected('dave')
    book.info('dave', { free: 0, quota: 2, used: 0, domain: '', leaving: true })
    expect(book.liveness('dave')).toBe('online')
    expect(book.get('dave')?.leaving).toBe(true)
    book.disconnected('dave')
    expect(book.liveness('dave')).toBe('gone')
    // It changed its mind and announces so: absent again like anyone.
    book.connected('dave')
    book.info('dave', { free: 5, quota: 2, used: 0, domain: '', leaving: false })
    book.disconnected('dave')
    expect(book.liveness('dave')).toBe('absent')
  })

  it('disconnected() for a peer that is not connected changes nothing', async () => {
    const book = open(dbPath())
    book.connected('alice')
    book.disconnected('alice')
    t += HOUR
    book.disconnected('alice')
    expect(book.get('alice')?.lastSeen).toBe(T0)
  })

  it('reports lastSeen = now for a connected peer and the stored time otherwise', async () => {
    const book = open(dbPath())
    book.connected('bob')
    book.connected('alice')
    t += 1000
    book.disconnected('bob')
    t += 60_000
    const list = book.list()
    expect(list.map(p => [p.peerId, p.liveness, p.firstSeen, p.lastSeen])).toEqual([
      ['alice', 'online', T0, t],
      ['bob', 'absent', T0, T0 + 1000]
    ])
  })

  it('stores what a peer announced', async () => {
    const book = open(dbPath())
    book.connected('alice')
    expect(book.get('alice')).toMatchObject({ free: undefined, quota: undefined, used: undefined, domain: undefined, infoAt: undefined })
    t += 500
    book.info('alice', { free: 5e9, quota: 2e9, used: 1e8, domain: 'room-a' })
    expect(book.get('alice')).toMatchObject({ free: 5e9, quota: 2e9, used: 1e8, domain: 'room-a', infoAt: T0 + 500 })
    t += 500
    book.info('alice', { free: 4e9, quota: 2e9, used: 2e8, domain: 'room-b' })
    expect(book.get('alice')).toMatchObject({ free: 4e9, used: 2e8, domain: 'room-b', infoAt: T0 + 1000 })
  })

  it('remembers addresses; a connection without addresses does not forget them, new ones replace them', async () => {
    const book = open(dbPath())
    book.connected('alice', ['/ip4/10.0.0.2/tcp/4001'])
    expect(book.get('alice')?.addrs).toEqual(['/ip4/10.0.0.2/tcp/4001'])
    book.disconnected('alice')
    t += HOUR
    book.connected('alice') // an inbound connection: no addresses known
    expect(book.get('alice')?.addrs).toEqual(['/ip4/10.0.0.2/tcp/4001'])
    // New addresses are written at once, even within the lastSeen write interval.
    t += 1000
    book.connected('alice', ['/ip4/10.0.0.7/tcp/4001', '/ip6/::1/tcp/4001'])
    expect(book.get('alice')?.addrs).toEqual(['/ip4/10.0.0.7/tcp/4001', '/ip6/::1/tcp/4001'])
    book.connected('alice', [])
    expect(book.get('alice')?.addrs).toEqual(['/ip4/10.0.0.7/tcp/4001', '/ip6/::1/tcp/4001'])
    // A peer first met without addresses has none.
    book.connected('bob')
    expect(book.get('bob')?.addrs).toEqual([])
  })

  it('writes lastSeen of a connected peer at most every 10 s (seen by another reader of the file)', async () => {
    const path = dbPath()
    const book = open(path)
    const reader = open(path) // a second handle: no peer is online in it, so it shows the stored time
    book.connected('alice')
    expect(reader.get('alice')?.lastSeen).toBe(T0)
    t += 5000
    book.connected('alice')
    expect(reader.get('alice')?.lastSeen).toBe(T0) // not written again so soon
    t += 5000
    book.connected('alice')
    expect(reader.get('alice')?.lastSeen).toBe(T0 + 10_000)
    expect(reader.liveness('alice')).toBe('absent')
  })

  it('persists across close and reopen; close records when online peers were last seen', async () => {
    const path = dbPath()
    const book = open(path)
    book.connected('alice', ['/ip4/10.0.0.2/tcp/4001'])
    book.info('alice', { free: 1, quota: 2, used: 3, domain: 'room-a' })
    book.connected('bob')
    t += 1000
    book.disconnected('bob')
    t += 2 * HOUR
    const closedAt = t
    book.close()

    t += HOUR
    const again = open(path)
    // Nobody is connected in the new process: alice is absent, seen last when the old one closed.
    expect(again.get('alice')).toEqual({
      peerId: 'alice',
      addrs: ['/ip4/10.0.0.2/tcp/4001'],
      firstSeen: T0,
      lastSeen: closedAt,
      free: 1,
      quota: 2,
      used: 3,
      domain: 'room-a',
      infoAt: T0,
      auditFailures: 0,
      auditPasses: 0,
      awayUntil: undefined,
      leaving: false,
      ephemeral: false,
      liveness: 'absent'
    })
    expect(again.get('bob')?.lastSeen).toBe(T0 + 1000)
    t = closedAt + goneAfter
    expect(again.liveness('alice')).toBe('gone')
    expect(again.liveness('bob')).toBe('gone')
    // Reconnecting after a restart keeps firstSeen and the addresses.
    again.connected('alice')
    expect(again.get('alice')).toMatchObject({ firstSeen: T0, lastSeen: t, addrs: ['/ip4/10.0.0.2/tcp/4001'], liveness: 'online' })
  })
})

describe('PeerBook: short-lived peers and forgetting', () => {
  it('a peer that announces itself ephemeral (a fresh-machine restore) is never listed and leaves no entry once it disconnects', async () => {
    const path = dbPath()
    const book = open(path)
    book.connected('alice', ['/ip4/10.0.0.2/tcp/4001'])
    book.connected('restore', ['/ip4/10.0.0.9/tcp/40123'])
    book.info('restore', { free: 0, quota: 0, used: 0, domain: '', ephemeral: true })
    // While connected it is known (for the info throttle) but not listed, so it counts nowhere.
    expect(book.get('restore')).toMatchObject({ ephemeral: true, liveness: 'online' })
    expect(book.list().map(p => p.peerId)).toEqual(['alice'])
    book.disconnected('restore')
    book.disconnected('alice')
    expect(book.get('restore')).toBeUndefined()
    // Long after: alice is gone, the restore peer is not there to be gone.
    t += 2 * goneAfter
    expect(book.list().map(p => [p.peerId, p.liveness])).toEqual([['alice', 'gone']])
    book.close()
    expect(open(path).list().map(p => p.peerId)).toEqual(['alice'])
  })

  it('an ephemeral answer that arrives after the peer left, or an entry left by a crash, is dropped', async () => {
    const path = dbPath()
    const book = open(path)
    book.connected('late')
    book.disconnected('late')
    book.info('late', { free: 0, quota: 0, used: 0, domain: '', ephemeral: true })
    expect(book.get('late')).toBeUndefined()
    book.connected('crashed')
    book.info('crashed', { free: 0, quota: 0, used: 0, domain: '', ephemeral: true })
    book.close() // the daemon stops (or crashes) while it is connected
    const again = open(path)
    expect(again.get('crashed')).toBeUndefined()
    expect(again.list()).toEqual([])
  })

  it('forget removes a peer for good; it is met again only if it connects again', async () => {
    const path = dbPath()
    const book = open(path)
    book.connected('bob', ['/ip4/10.0.0.3/tcp/4001'])
    book.info('bob', { free: 10, quota: 10, used: 0, domain: 'desk' })
    book.disconnected('bob')
    t += 2 * goneAfter
    expect(book.liveness('bob')).toBe('gone')
    expect(book.forget('bob')).toBe(true)
    expect(book.forget('bob')).toBe(false)
    expect(book.get('bob')).toBeUndefined()
    expect(book.list()).toEqual([])
    book.close()
    const again = open(path)
    expect(again.list()).toEqual([])
    again.connected('bob')
    expect(again.get('bob')).toMatchObject({ liveness: 'online', firstSeen: t, addrs: [] })
  })
})
