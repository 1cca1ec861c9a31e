// The libp2p node of the daemon: TCP + noise (prologue from the swarm key) + yamux, identify,
// ping and a private Kademlia DHT; discovery by mDNS and a bootstrap list. Choices and their
// measurements: docs/admission.md and /work/shared/research/libp2p.md.
import { setTimeout as sleep } from 'node:timers/promises'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import type { Libp2p, Logger, PeerDiscovery, PeerId, PeerInfo, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import type { KadDHT, SelectFn, ValidateFn } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import type { MulticastDNSComponents } from '@libp2p/mdns'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { InvalidArgumentError } from '../errors.js'
import { createSwarmGater } from './gater.js'
import { swarmFingerprint, swarmPrologue } from './swarm-key.js'

const MiB = 1024 * 1024

/** Default TCP port of a daemon. */
export const DEFAULT_PORT = 4701

/** Default listen addresses: every IPv4 interface, port 4701. */
export const DEFAULT_LISTEN: readonly string[] = Object.freeze([`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`])

/** Our private Kademlia protocol. The public `/ipfs/kad/1.0.0` is never registered nor spoken. */
export const DHT_PROTOCOL = '/p2pbak/kad/1.0.0'

/** Default connection limit: above the largest office we plan for (a few hundred machines). */
export const DEFAULT_MAX_CONNECTIONS = 300

/** Default interval of the DHT's reprovide/cleanup pass, ms (kad-dht's own default). */
export const DEFAULT_REPROVIDE_INTERVAL = 60 * 60 * 1000

/**
 * Yamux per-stream buffers. A paused stream still receives up to its receive window, and that
 * data lands in a read buffer that resets the stream when it overflows (libp2p.md §3.5, default
 * window 16 MiB vs buffer 4 MiB). Capping the window at 4 MiB and allowing 8 MiB of buffer keeps
 * pause() safe; 4 MiB still covers the bandwidth-delay product of a LAN or VPN.
 */
export const YAMUX_MAX_STREAM_WINDOW = 4 * MiB
export const YAMUX_MAX_READ_BUFFER = 8 * MiB

/** Inbound/outbound DHT streams per connection (kad-dht defaults, set explicitly). */
export const DHT_MAX_INBOUND_STREAMS = 32
export const DHT_MAX_OUTBOUND_STREAMS = 64

/** Loopback is exempt from the per-IP inbound rate limit (5/s) and maxConnections (libp2p.md §6.1). */
const CONNECTION_ALLOW = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']

/** Bootstrap redial backoff: 1 s doubling up to 60 s, reset by a connection that lasted 60 s; one attempt may take up to 10 s. */
const BOOTSTRAP_FIRST_DELAY = 1000
const BOOTSTRAP_MAX_DELAY = 60_000
const BOOTSTRAP_DIAL_TIMEOUT = 10_000
const BOOTSTRAP_STABLE = 60_000

// A type alias, not an interface: libp2p's ServiceMap needs an implicit index signature.
export type SwarmServices = {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type SwarmLibp2p = Libp2p<SwarmServices>

export interface SwarmNodeOptions {
  /** The node's identity (loadOrCreateNodeKey). */
  privateKey: PrivateKey
  /** The office's swarm key (readSwarmKeyFile): only nodes with the same key can connect. */
  swarmKey: Uint8Array
  /** Listen multiaddrs. Default DEFAULT_LISTEN. */
  listen?: string[]
  /** Multiaddrs with a /p2p/<peer id> part, dialled after start and redialled when the connection drops. Default none. */
  bootstrap?: string[]
  /** Discover peers on the LAN by mDNS (service tag derived from the swarm ID). Default false. */
  mdns?: boolean
  /** Peer IDs allowed in addition to holding the swarm key. Default empty: any key holder. */
  allow?: string[]
  /** Only dial and accept these IP networks (CIDR). Default unset: any address. */
  allowedNetworks?: string[]
  /** Connection limit before libp2p prunes connections. Default DEFAULT_MAX_CONNECTIONS. */
  maxConnections?: number
  /** DHT record validators by namespace (the segment between the first two `/` of a key). */
  validators?: Record<string, ValidateFn>
  /** DHT record selectors by namespace. */
  selectors?: Record<string, SelectFn>
  /** How often the DHT reprovides our records and drops expired ones, ms. Default 1 h. */
  reprovideInterval?: number
  /** Start the node before returning. Default true. */
  start?: boolean
}

export interface SwarmNode {
  readonly libp2p: SwarmLibp2p
  readonly peerId: PeerId
  /** The non-secret swarm fingerprint (swarmFingerprint), for logs and status. */
  readonly swarmId: string
  /** Starts listening, discovery and the bootstrap dialer. Idempotent. */
  start: () => Promise<void>
  /** Stops the bootstrap dialer and the node, closing every connection. Idempotent. */
  stop: () => Promise<void>
  /** The addresses we listen on, each ending in /p2p/<our peer id>. */
  addresses: () => Multiaddr[]
}

interface BootstrapPeer { id: PeerId, addrs: Multiaddr[] }

export async function createSwarmNode (options: SwarmNodeOptions): Promise<SwarmNode> {
  const swarmId = swarmFingerprint(options.swarmKey)
  const prologueBytes = swarmPrologue(options.swarmKey)
  const bootstrap = parseBootstrap(options.bootstrap ?? [])
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new InvalidArgumentError(`maxConnections must be a positive integer, got ${maxConnections}`, { hint: 'set it to at least the number of machines in the swarm' })
  }

  // Discovered peers are not dialled by libp2p 3 (libp2p.md §11): we dial them, through the gater.
  let libp2p: SwarmLibp2p | undefined
  const peerDiscovery = options.mdns === true
    ? [(components: MulticastDNSComponents): PeerDiscovery => {
        const discovery = mdns({ serviceTag: `_p2pbak-${swarmId}._udp.local` })(components)
        discovery.addEventListener('peer', (evt) => { if (libp2p !== undefined) dialDiscovered(libp2p, evt.detail, log) })
        return discovery
      }]
    : []

  libp2p = await createLibp2p({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: [...(options.listen ?? DEFAULT_LISTEN)] },
    transports: [tcp()],
    connectionEncrypters: [noise({ prologueBytes })],
    streamMuxers: [yamux({
      streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW, maxReadBufferLength: YAMUX_MAX_READ_BUFFER }
    })],
    connectionGater: createSwarmGater({ allow: options.allow, allowedNetworks: options.allowedNetworks }),
    connectionManager: { maxConnections, allow: CONNECTION_ALLOW },
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        // The code defaults to client mode unless a public address shows up (libp2p.md §6.1).
        clientMode: false,
        // The default mapper strips private addresses, which on a LAN leaves the routing table empty.
        peerInfoMapper: passthroughMapper,
        validators: options.validators ?? {},
        selectors: options.selectors ?? {},
        reprovide: { interval: options.reprovideInterval ?? DEFAULT_REPROVIDE_INTERVAL },
        maxInboundStreams: DHT_MAX_INBOUND_STREAMS,
        maxOutboundStreams: DHT_MAX_OUTBOUND_STREAMS
      })
    }
  })
  const node = libp2p
  const log = node.logger.forComponent('p2pbak:swarm')
  const self = node.peerId.toString()
  const dialer = new BootstrapDialer(node, bootstrap.filter(p => p.id.toString() !== self), log)

  let state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped'
  let transition: Promise<void> = Promise.resolve()
  const swarmNode: SwarmNode = {
    libp2p: node,
    peerId: node.peerId,
    swarmId,
    start: async () => {
      await transition.catch(() => {})
      if (state === 'started') return
      state = 'starting'
      transition = (async () => {
        await node.start()
        dialer.start()
        state = 'started'
        log('started %p in swarm %s on %a', node.peerId, swarmId, node.getMultiaddrs())
      })()
      await transition
    },
    stop: async () => {
      await transition.catch(() => {})
      if (state === 'stopped') return
      state = 'stopping'
      transition = (async () => {
        await dialer.stop()
        await Promise.resolve(node.stop())
        state = 'stopped'
      })()
      await transition
    },
    addresses: () => node.getMultiaddrs()
  }
  if (options.start !== false) {
    try {
      await swarmNode.start()
    } catch (err) {
      await swarmNode.stop().catch(() => {})
      throw err
    }
  }
  return swarmNode
}

function parseBootstrap (addrs: string[]): BootstrapPeer[] {
  const byPeer = new Map<string, BootstrapPeer>()
  for (const text of addrs) {
    let ma: Multiaddr
    try {
      ma = multiaddr(text)
    } catch (err) {
      throw new InvalidArgumentError(`bootstrap address "${text}" is not a multiaddr`, { hint: 'write it like /ip4/192.168.1.10/tcp/4701/p2p/12D3KooW…', cause: err })
    }
    const id = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (id === undefined) {
      throw new InvalidArgumentError(`bootstrap address "${text}" has no /p2p/<peer id> part`, { hint: 'append /p2p/<peer id> of that machine (shown by `p2pbak status` there)' })
    }
    let peer: PeerId
    try {
      peer = peerIdFromString(id)
    } catch (err) {
      throw new InvalidArgumentError(`bootstrap address "${text}" has an invalid peer ID "${id}"`, { hint: 'copy the peer ID again from `p2pbak status` on that machine', cause: err })
    }
    const entry = byPeer.get(id) ?? { id: peer, addrs: [] }
    entry.addrs.push(ma)
    byPeer.set(id, entry)
  }
  return [...byPeer.values()]
}

function dialDiscovered (node: SwarmLibp2p, peer: PeerInfo, log: Logger): void {
  if (peer.id.equals(node.peerId) || node.getConnections(peer.id).length > 0) return
  void (async () => {
    await node.peerStore.merge(peer.id, { multiaddrs: peer.multiaddrs })
    await node.dial(peer.id, { signal: AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT) })
  })().catch((err: Error) => { log('could not dial discovered peer %p: %s', peer.id, err.message) })
}

/**
 * Keeps a connection to each bootstrap peer: dials after start, redials with exponential backoff
 * while it is down, and again whenever it drops. Never fails start; a peer refused by our own gater
 * (allow-list) is given up.
 */
class BootstrapDialer {
  private controller: AbortController | undefined
  private loops: Array<Promise<void>> = []

  constructor (private readonly node: SwarmLibp2p, private readonly peers: BootstrapPeer[], private readonly log: Logger) {}

  start (): void {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    this.loops = this.peers.map(async p => { await this.keepConnected(p, controller.signal) })
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
    await Promise.all(this.loops.splice(0))
  }

  private async keepConnected (peer: BootstrapPeer, signal: AbortSignal): Promise<void> {
    let delay = BOOTSTRAP_FIRST_DELAY
    try {
      await this.node.peerStore.merge(peer.id, { multiaddrs: peer.addrs })
      while (!signal.aborted) {
        if (this.node.getConnections(peer.id).length === 0) {
          try {
            await this.node.dial(peer.id, { signal: AbortSignal.any([signal, AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT)]) })
            this.log('connected to bootstrap peer %p', peer.id)
          } catch (err) {
            if (signal.aborted) return
            if ((err as Error).name === 'DialDeniedError') {
              this.log.error('bootstrap peer %p is refused by our allow-list; not dialling it', peer.id)
              return
            }
            this.log('bootstrap peer %p unreachable (%s); retrying in %d ms', peer.id, (err as Error).message, delay)
            await sleep(delay, undefined, { signal })
            delay = Math.min(delay * 2, BOOTSTRAP_MAX_DELAY)
            continue
          }
        }
        const since = Date.now()
        await this.disconnected(peer.id, signal)
        if (signal.aborted) return
        // A connection the remote drops at once (its allow-list refuses us) must not become a
        // tight redial loop: back off unless the connection was stable.
        if (Date.now() - since >= BOOTSTRAP_STABLE) delay = BOOTSTRAP_FIRST_DELAY
        await sleep(delay, undefined, { signal })
        delay = Math.min(delay * 2, BOOTSTRAP_MAX_DELAY)
      }
    } catch (err) {
      if (!signal.aborted) this.log.error('bootstrap dialer for %p stopped: %e', peer.id, err)
    }
  }

  /** Resolves when we hold no connection to `peer` any more, or on abort. */
  private async disconnected (peer: PeerId, signal: AbortSignal): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        this.node.removeEventListener('peer:disconnect', onDisconnect)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const onDisconnect = (evt: CustomEvent<PeerId>): void => { if (evt.detail.equals(peer)) done() }
      this.node.addEventListener('peer:disconnect', onDisconnect)
      signal.addEventListener('abort', done, { once: true })
      // The connection may have closed between the dial and the listener.
      if (signal.aborted || this.node.getConnections(peer).length === 0) done()
    })
  }
}
