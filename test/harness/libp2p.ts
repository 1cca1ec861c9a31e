// Minimal real libp2p nodes for protocol tests: TCP on 127.0.0.1, noise, yamux, identify, ping.
// Stop every node in afterEach (`stopNodes`).
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'

export interface TestNodeOptions {
  /** Passed to yamux(), e.g. { streamOptions: { maxStreamWindowSize } }. */
  yamux?: Parameters<typeof yamux>[0]
}

export async function createTestNode (options: TestNodeOptions = {}): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux(options.yamux)],
    services: { identify: identify(), ping: ping() }
  })
}

/** Stops nodes and empties the list. */
export async function stopNodes (nodes: Libp2p[]): Promise<void> {
  await Promise.all(nodes.splice(0).map(async (n) => { await Promise.resolve(n.stop()) }))
}
