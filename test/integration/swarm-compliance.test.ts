// The backend compliance suite against the swarm store over real libp2p peers (TCP on
// 127.0.0.1, real holders on real disks): a fresh four-peer swarm for every case.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { vi } from 'vitest'
import { deriveKeys, generateMasterKey } from '../../daemon/crypto/index.js'
import { generateSwarmKey, loadOrCreateNodeKey } from '../../daemon/swarm/index.js'
import { createSwarmPeer } from '../../daemon/swarm/peer.js'
import type { SwarmPeer } from '../../daemon/swarm/peer.js'
import { SwarmStore } from '../../daemon/swarm/swarm-store.js'
import { deleteSignedBytes } from '../../protocol/index.js'
import { tempDirs } from '../harness/tmp.js'
import { runBackendCompliance } from '../unit/store/compliance.js'

const dirs = tempDirs()

runBackendCompliance('swarm store over libp2p (4 peers, r = 3)', async () => {
  const root = dirs.make('p2pbak-swarm-compliance-')
  const swarmKey = generateSwarmKey()
  const peers: SwarmPeer[] = []
  for (let i = 0; i < 4; i++) {
    const stateDir = join(root, `peer-${i}`)
    const p = await createSwarmPeer({
      stateDir,
      node: { privateKey: await loadOrCreateNodeKey(stateDir), swarmKey, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: peers.flatMap(q => q.node.addresses().map(a => a.toString())), mdns: false },
      holder: { quota: 1e10, reserve: 0, domain: '' }
    })
    await p.start()
    peers.push(p)
  }
  await vi.waitFor(() => { for (const p of peers) if (p.node.libp2p.getPeers().length !== 3) throw new Error('not connected yet') }, { timeout: 20_000, interval: 50 })
  const ownerDir = join(root, 'owner')
  mkdirSync(ownerDir)
  const store = new SwarmStore({ transport: peers[0]!.transport, owner: deriveKeys(generateMasterKey()), stateDir: ownerDir, replicas: 3, deleteSignedBytes })
  return {
    backend: store,
    cleanup: async () => {
      await store.close()
      for (const p of peers) await p.stop()
      dirs.cleanup()
    }
  }
})
