// forgetPeer: refuses an online peer unless forced, and says what the forgotten peer held.
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { PeerId } from '@libp2p/interface'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { forgetPeer } from '../../../daemon/forget-peer.js'
import { PeerBook } from '../../../daemon/peer-book.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
const books: PeerBook[] = []
afterEach(() => { for (const b of books.splice(0)) b.close(); dirs.cleanup() })

async function setup (): Promise<{ book: PeerBook, id: string, dropped: string[], forgotten: string[], c: Parameters<typeof forgetPeer>[0] }> {
  const book = new PeerBook({ path: join(dirs.make('p2pbak-forget-'), 'peers.db'), goneAfter: 1000 })
  books.push(book)
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const dropped: string[] = []
  const forgotten: string[] = []
  const c = {
    peerBook: book,
    dropFromNode: async (p: PeerId) => { dropped.push(p.toString()) },
    store: { forgetHolder: (p: string) => { forgotten.push(p); return { packs: 3, bytes: 300 } } },
    heldForThem: () => new Map([[id, 42]])
  }
  return { book, id, dropped, forgotten, c }
}

describe('forgetPeer', () => {
  it('refuses an online peer without force and changes nothing', async () => {
    const { book, id, dropped, forgotten, c } = await setup()
    book.connected(id)
    await expect(forgetPeer(c, { peer: id.slice(-12) })).rejects.toMatchObject({ name: 'InvalidArgumentError', hint: expect.stringMatching(/--force/) })
    expect(dropped).toEqual([])
    expect(forgotten).toEqual([])
    expect(book.get(id)).toBeDefined()
  })

  it('with force, or once the peer is not connected, removes it everywhere and reports what it held', async () => {
    const { book, id, dropped, forgotten, c } = await setup()
    book.connected(id)
    expect(await forgetPeer(c, { peer: id, force: true })).toEqual({ peerId: id, liveness: 'online', heldForUs: { packs: 3, bytes: 300 }, heldForThem: 42 })
    expect(dropped).toEqual([id])
    expect(forgotten).toEqual([id])
    expect(book.get(id)).toBeUndefined()
    book.connected(id)
    book.disconnected(id)
    expect((await forgetPeer(c, { peer: `…${id.slice(-12)}` })).liveness).toBe('absent')
    expect(book.list()).toEqual([])
  })
})
