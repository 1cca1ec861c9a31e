// The connection gater: allow-list of peer IDs and optional allowed networks.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { MultiaddrConnection, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../../daemon/errors.js'
import { createSwarmGater } from '../../../daemon/swarm/index.js'

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}
const conn = (addr: string): MultiaddrConnection => ({ remoteAddr: multiaddr(addr) }) as unknown as MultiaddrConnection

describe('createSwarmGater', () => {
  it('with no options denies nothing', async () => {
    const g = createSwarmGater()
    const p = await newPeer()
    expect(await g.denyDialPeer?.(p)).toBe(false)
    expect(await g.denyInboundEncryptedConnection?.(p, conn('/ip4/8.8.8.8/tcp/1'))).toBe(false)
    expect(await g.denyOutboundEncryptedConnection?.(p, conn('/ip4/8.8.8.8/tcp/1'))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip4/8.8.8.8/tcp/1'))).toBe(false)
    expect(await g.denyInboundConnection?.(conn('/ip4/8.8.8.8/tcp/1'))).toBe(false)
  })

  it('an empty allow-list admits any key holder', async () => {
    const g = createSwarmGater({ allow: [] })
    expect(await g.denyDialPeer?.(await newPeer())).toBe(false)
  })

  it('a non-empty allow-list denies other peers on dial and on both encrypted hooks', async () => {
    const friend = await newPeer()
    const stranger = await newPeer()
    const g = createSwarmGater({ allow: [friend.toString()] })
    const c = conn('/ip4/127.0.0.1/tcp/1')
    expect(await g.denyDialPeer?.(friend)).toBe(false)
    expect(await g.denyInboundEncryptedConnection?.(friend, c)).toBe(false)
    expect(await g.denyOutboundEncryptedConnection?.(friend, c)).toBe(false)
    expect(await g.denyDialPeer?.(stranger)).toBe(true)
    expect(await g.denyInboundEncryptedConnection?.(stranger, c)).toBe(true)
    expect(await g.denyOutboundEncryptedConnection?.(stranger, c)).toBe(true)
  })

  it('allowed networks filter dials and inbound connections by IP, before any crypto', async () => {
    const g = createSwarmGater({ allowedNetworks: ['192.168.1.0/24', '127.0.0.1/32', 'fd00::/8'] })
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip4/192.168.1.77/tcp/4701'))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/4701'))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip6/fd12::1/tcp/4701'))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip4/192.168.2.1/tcp/4701'))).toBe(true)
    expect(await g.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.2/tcp/4701'))).toBe(true)
    expect(await g.denyDialMultiaddr?.(multiaddr('/dns4/example.com/tcp/4701'))).toBe(true)
    expect(await g.denyInboundConnection?.(conn('/ip4/10.0.0.1/tcp/5555'))).toBe(true)
    expect(await g.denyInboundConnection?.(conn('/ip4/192.168.1.3/tcp/5555'))).toBe(false)
  })

  it.each(['192.168.1.0', '192.168.1.0/33', 'example.com/8', '10.0.0.0/8/1', 'fd00::/129', '10.0.0.0/x'])('rejects the malformed network %s', (net) => {
    expect(() => createSwarmGater({ allowedNetworks: [net] })).toThrow(InvalidArgumentError)
  })
})
