// `p2pbak peers forget PEER` (docs/daemon.md "Forgetting a peer"): a machine that left the office
// without `p2pbak leave` stays in the peer book as gone for ever. Forgetting removes it from the
// peer book, from the swarm node's peer store and DHT routing table, and from the owner's record
// of who holds its packs. A peer that connects again is met again: forgetting is not a ban (the
// swarm key is the office's admission).
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidArgumentError } from './errors.js'
import type { Liveness, PeerBook } from './peer-book.js'

export interface ForgetPeerAnswer {
  /** The full peer ID forgotten. */
  peerId: string
  /** Its liveness when it was forgotten. */
  liveness: Liveness
  /** This owner's packs (and shards) it was recorded as holding: they no longer count as copies. */
  heldForUs: { packs: number, bytes: number }
  /** Bytes of packs this daemon holds that it sent (kept: they are its owner's, and repair looks after them). */
  heldForThem: number
}

/** Shortest prefix or suffix accepted, so that a typo does not pick a peer at random. */
export const MIN_PEER_ABBREVIATION = 4

/**
 * The one known peer `text` names: its full ID, or a unique prefix or suffix of it (`p2pbak peers`
 * prints `…` and the last 12 characters; the `…` may be given or left out).
 */
export function resolvePeer (book: Pick<PeerBook, 'list'>, text: string): string {
  const t = text.trim().replace(/^(…|\.\.\.)/, '')
  if (t.length < MIN_PEER_ABBREVIATION) {
    throw new InvalidArgumentError(`"${text}" is too short to name a peer`, { hint: `give the peer ID as \`p2pbak peers\` prints it (at least ${MIN_PEER_ABBREVIATION} characters)` })
  }
  const ids = book.list().map(p => p.peerId)
  if (ids.includes(t)) return t
  const hits = ids.filter(id => id.startsWith(t) || id.endsWith(t))
  if (hits.length === 1) return hits[0]!
  if (hits.length === 0) throw new InvalidArgumentError(`no known peer matches "${text}"`, { hint: 'see `p2pbak peers` for the peers this daemon knows' })
  throw new InvalidArgumentError(`"${text}" matches ${hits.length} peers: ${hits.join(', ')}`, { hint: 'give more characters of the peer ID, or all of it' })
}

export interface ForgetPeerComponents {
  peerBook: PeerBook
  /** Removes the peer from the node's peer store and DHT routing table, and closes its connections. */
  dropFromNode: (id: PeerId) => Promise<void>
  /** The owner's record of who holds its packs (absent when this machine has no owner). */
  store?: { forgetHolder: (peer: string) => { packs: number, bytes: number } }
  /** Bytes held here per sending peer. */
  heldForThem: () => Map<string, number>
}

export async function forgetPeer (c: ForgetPeerComponents, body: { peer: string, force?: boolean }): Promise<ForgetPeerAnswer> {
  const peerId = resolvePeer(c.peerBook, body.peer)
  const liveness = c.peerBook.liveness(peerId)
  if (liveness === 'online' && body.force !== true) {
    throw new InvalidArgumentError(`peer …${peerId.slice(-12)} is online`, {
      hint: 'forget only machines that left the office; a machine leaving for good runs `p2pbak leave` first. To forget it anyway (it is met again if it reconnects), add --force'
    })
  }
  const heldForThem = c.heldForThem().get(peerId) ?? 0
  const heldForUs = c.store?.forgetHolder(peerId) ?? { packs: 0, bytes: 0 }
  await c.dropFromNode(peerIdFromString(peerId))
  c.peerBook.forget(peerId)
  return { peerId, liveness, heldForUs, heldForThem }
}
