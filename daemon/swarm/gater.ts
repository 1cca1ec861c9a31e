// Connection gater: narrows admission beyond the swarm key (docs/admission.md §4). Both checks are
// off by default; the swarm key alone already keeps outsiders out.
import { BlockList, isIP } from 'node:net'
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { InvalidArgumentError } from '../errors.js'

export interface SwarmGaterInit {
  /**
   * Peer IDs (base58 strings) allowed to connect and be dialled. Empty or unset: any peer holding
   * the swarm key. Checked on every new connection, so the set may change at runtime (existing
   * connections are not re-checked).
   */
  allow?: Iterable<string>
  /**
   * IP networks in CIDR form ('10.1.0.0/16', '192.168.1.7/32', 'fd00::/8') that we dial and
   * accept connections from. Unset: any address. Checked before any cryptography, so it is also a
   * cheap filter against strangers' handshake attempts.
   */
  allowedNetworks?: string[]
}

/** Builds the gater. Throws InvalidArgumentError for a malformed network. */
export function createSwarmGater (init: SwarmGaterInit = {}): ConnectionGater {
  const allow = new Set(init.allow ?? [])
  const networks = init.allowedNetworks === undefined ? undefined : parseNetworks(init.allowedNetworks)

  const denyPeer = (peer: PeerId): boolean => allow.size > 0 && !allow.has(peer.toString())
  const denyAddr = (ma: Multiaddr): boolean => {
    if (networks === undefined) return false
    const ip = ipOf(ma)
    // Non-IP addresses (dns, unix sockets) cannot be placed in a network: deny them when a
    // network list is configured, it means "only these networks".
    return ip === undefined || !networks.check(ip.address, ip.family)
  }

  return {
    // Outbound: refuse to even dial strangers, e.g. peers learned through the DHT or mDNS.
    denyDialPeer: denyPeer,
    denyDialMultiaddr: denyAddr,
    // Inbound: the IP is known before the handshake, the verified peer ID only after it.
    denyInboundConnection: (maConn: MultiaddrConnection) => denyAddr(maConn.remoteAddr),
    denyInboundEncryptedConnection: denyPeer,
    denyOutboundEncryptedConnection: denyPeer
  }
}

function parseNetworks (cidrs: string[]): BlockList {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [addr = '', bits, ...rest] = cidr.split('/')
    const family = isIP(addr)
    const prefix = Number(bits)
    const max = family === 6 ? 128 : 32
    if (family === 0 || rest.length > 0 || bits === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new InvalidArgumentError(`"${cidr}" is not an IP network in CIDR form`, {
        hint: 'write networks as address/prefix, for example 192.168.1.0/24 or fd00::/8'
      })
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4')
  }
  return list
}

function ipOf (ma: Multiaddr): { address: string, family: 'ipv4' | 'ipv6' } | undefined {
  const first = ma.getComponents()[0]
  if (first?.value === undefined) return undefined
  if (first.name === 'ip4') return { address: first.value, family: 'ipv4' }
  if (first.name === 'ip6') return { address: first.value, family: 'ipv6' }
  return undefined
}
