// One swarm daemon for bench/swarm.mjs, as its own OS process (started with child_process.fork).
// The driver sends commands over the IPC channel ({ id, cmd, args }) and gets { id, ok, result }
// or { id, ok: false, error } back. Every figure that concerns this process (wall time of a
// step, CPU, peak RSS, CPU profile) is measured here, so it is attributable to this daemon.
import '../dist/daemon/polyfill.js' // before anything from libp2p (Promise.withResolvers on Node 20)
import { randomBytes, randomFillSync } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { createSwarmPeer } from '../dist/daemon/swarm/peer.js'
import { loadOrCreateNodeKey } from '../dist/daemon/swarm/index.js'
import { SwarmStore } from '../dist/daemon/swarm/swarm-store.js'
import { initOwner, openOwner } from '../dist/daemon/owner.js'
import { backup } from '../dist/daemon/archiver.js'
import { restore } from '../dist/daemon/restorer.js'
import { deleteSignedBytes, packIdOf, putPack } from '../dist/protocol/index.js'

/** Throwaway protocol for the raw noise+yamux figure: 1 MiB length-prefixed frames, an empty frame ends, then one ack frame. */
const RAW_PROTOCOL = '/p2pbak-bench/raw/1.0.0'
const MiB = 1024 * 1024
const FRAME = MiB

let peer // the SwarmPeer
let packs = [] // { id, bytes } of the pack-throughput part (owner side only)
let tcpServer
let passphrase
let profiling // inspector session of profileStart

const now = () => Number(process.hrtime.bigint()) / 1e6 // ms

// The driver went away (crash, Ctrl-C): do not linger.
process.on('disconnect', () => { process.exit(1) })

const commands = {
  async start ({ stateDir, swarmKeyHex, bootstrap, quota }) {
    mkdirSync(stateDir, { recursive: true })
    peer = await createSwarmPeer({
      stateDir,
      node: {
        privateKey: await loadOrCreateNodeKey(stateDir),
        swarmKey: Uint8Array.from(Buffer.from(swarmKeyHex, 'hex')),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap,
        mdns: false
      },
      holder: { quota, reserve: 0, domain: '' }
    })
    await peer.start()
    await peer.node.libp2p.handle(RAW_PROTOCOL, rawHandler, { maxInboundStreams: 8 })
    return { peerId: peer.peerId, addrs: peer.node.addresses().map(String), pid: process.pid }
  },

  /** Resolves once `n` peers are connected (deadline `timeoutMs`). */
  async waitPeers ({ n, timeoutMs = 30_000 }) {
    const deadline = Date.now() + timeoutMs
    while (peer.node.libp2p.getPeers().length < n) {
      if (Date.now() > deadline) throw new Error(`only ${peer.node.libp2p.getPeers().length} of ${n} peers connected after ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    return peer.node.libp2p.getPeers().length
  },

  usage () {
    const c = process.cpuUsage()
    return { userMs: c.user / 1000, sysMs: c.system / 1000, maxRssKiB: process.resourceUsage().maxRSS, rssBytes: process.memoryUsage().rss }
  },

  /** CPU profile of this process between profileStart and profileStop (inspector, 1 ms sampling). */
  async profileStart () { profiling = await startProfile(); return 0 },
  async profileStop ({ file }) { const s = profiling; profiling = undefined; return s === undefined ? undefined : await stopProfile(s, file) },

  // ---- part 1: two daemons ----

  /** Fills `count` packs of `size` random bytes (kept in memory for the transfers below). */
  makePacks ({ count, size }) {
    packs = []
    for (let i = 0; i < count; i++) {
      const bytes = new Uint8Array(size)
      for (let o = 0; o < size; o += 65536) randomFillSync(bytes, o, Math.min(65536, size - o))
      packs.push({ id: '', bytes })
    }
    return packs.length
  },

  /** New content, hence new valid pack IDs: a holder never has them yet (not timed). */
  renewPackIds ({ tag }) {
    for (const [i, p] of packs.entries()) {
      Buffer.from(p.bytes.buffer, p.bytes.byteOffset, 16).write(`${tag}:${i}`.padEnd(16, '.').slice(0, 16), 'latin1')
      p.id = packIdOf(p.bytes)
    }
    return packs.map(p => p.id)
  },

  /** putPack of every pack to `to`, with `inFlight` transfers at once. */
  async putPacks ({ to, inFlight }) {
    const target = peerIdFromString(to)
    const ownerKey = randomBytes(32)
    const statuses = {}
    let next = 0
    const t0 = now()
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < packs.length) {
        const p = packs[next++]
        const r = await putPack(peer.node.libp2p, target, { packId: p.id, bytes: p.bytes, ownerKey })
        statuses[r.status] = (statuses[r.status] ?? 0) + 1
      }
    }))
    const ms = now() - t0
    return { ms, bytes: packs.reduce((a, p) => a + p.bytes.byteLength, 0), statuses }
  },

  /** The same bytes over one libp2p stream (noise + yamux), 1 MiB lpStream frames, no holder work. */
  async rawSend ({ to }) {
    const t0 = now()
    const stream = await peer.node.libp2p.dialProtocol(peerIdFromString(to), RAW_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    const lp = lpStream(stream, { maxDataLength: 2 * MiB })
    let bytes = 0
    for (const p of packs) {
      for (let o = 0; o < p.bytes.byteLength; o += FRAME) {
        await lp.write(p.bytes.subarray(o, Math.min(p.bytes.byteLength, o + FRAME)))
      }
      bytes += p.bytes.byteLength
    }
    await lp.write(new Uint8Array(0))
    const ack = await lp.read({ signal: AbortSignal.timeout(60_000) })
    const got = Number(Buffer.from(ack.subarray()).readBigUInt64BE(0))
    const ms = now() - t0
    await stream.close().catch(() => {})
    if (got !== bytes) throw new Error(`raw receiver counted ${got} of ${bytes} bytes`)
    return { ms, bytes }
  },

  async tcpListen () {
    tcpServer = createServer(socket => {
      let n = 0
      socket.on('data', d => { n += d.byteLength })
      socket.on('end', () => {
        const ack = Buffer.alloc(8)
        ack.writeBigUInt64BE(BigInt(n))
        socket.end(ack)
      })
      socket.on('error', () => {})
    })
    await new Promise((resolve, reject) => { tcpServer.once('error', reject); tcpServer.listen(0, '127.0.0.1', resolve) })
    return tcpServer.address().port
  },

  /** The same bytes over a plain TCP socket (no crypto, no framing): write with backpressure, half-close, wait for the count. */
  async tcpSend ({ port }) {
    const t0 = now()
    const socket = createConnection({ host: '127.0.0.1', port })
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    const acked = new Promise((resolve, reject) => {
      const parts = []
      socket.on('data', d => parts.push(d))
      socket.on('end', () => resolve(Buffer.concat(parts)))
      socket.on('error', reject)
    })
    let bytes = 0
    for (const p of packs) {
      for (let o = 0; o < p.bytes.byteLength; o += FRAME) {
        if (!socket.write(p.bytes.subarray(o, Math.min(p.bytes.byteLength, o + FRAME)))) await new Promise(resolve => socket.once('drain', resolve))
      }
      bytes += p.bytes.byteLength
    }
    socket.end()
    const got = Number((await acked).readBigUInt64BE(0))
    const ms = now() - t0
    if (got !== bytes) throw new Error(`tcp receiver counted ${got} of ${bytes} bytes`)
    return { ms, bytes }
  },

  /** Drops the packs (frees ~768 MiB before part 2 of a later run). */
  dropPacks () { packs = []; return 0 },

  // ---- part 2: the owner's backup and a restore on a fresh machine ----

  async ownerInit ({ stateDir, name, pass }) {
    passphrase = pass
    const { store } = swarmStore(stateDir)
    const t0 = now()
    const r = await initOwner({ stateDir, backend: store, ownerName: name, passphrase: pass })
    await store.close()
    return { ms: now() - t0, recoveryKey: r.recoveryKey, ownerId: r.ownerId }
  },

  async ownerBackup ({ stateDir, name, paths, profileTo }) {
    const { store, owner } = swarmStore(stateDir)
    const prof = profileTo === undefined ? undefined : await startProfile()
    const t0 = now()
    const o = await openOwner({ stateDir, backend: store, passphrase })
    owner.publicKey = o.keys.publicKey
    owner.sign = o.keys.sign
    const { summary } = await backup(o.repo, o.keys.chunkerKey, { paths, owner: name })
    await o.close()
    const ms = now() - t0
    const profile = prof === undefined ? undefined : await stopProfile(prof, profileTo)
    const degraded = store.degradedPacks().length
    await store.close()
    return { ms, summary, degraded, profile }
  },

  async ownerRestore ({ stateDir, recoveryKey, target, profileTo }) {
    mkdirSync(stateDir, { recursive: true })
    const { store, owner } = swarmStore(stateDir)
    const failed = {}
    store.on('holder-failed', e => { failed[e.reason] = (failed[e.reason] ?? 0) + 1 })
    const prof = profileTo === undefined ? undefined : await startProfile()
    const t0 = now()
    const o = await openOwner({ stateDir, backend: store, recoveryKey })
    owner.publicKey = o.keys.publicKey
    owner.sign = o.keys.sign
    const openMs = now() - t0
    const result = await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    await o.close()
    const ms = now() - t0
    const profile = prof === undefined ? undefined : await stopProfile(prof, profileTo)
    await store.close()
    return { ms, openMs, files: result.files, bytes: result.bytes, warnings: result.warnings.length, holderFailures: failed, profile }
  },

  async stop () {
    await tcpServer?.close()
    await peer?.stop()
    setImmediate(() => process.exit(0))
    return 0
  }
}

/** The owner's swarm store; its signing key is filled in once the owner is open. */
function swarmStore (stateDir) {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const owner = { publicKey: new Uint8Array(32), sign: () => new Uint8Array(64) }
  const store = new SwarmStore({ transport: peer.transport, owner, stateDir, replicas: 3, deleteSignedBytes })
  return { store, owner }
}

async function rawHandler (stream) {
  const lp = lpStream(stream, { maxDataLength: 2 * MiB, maxBufferSize: 32 * MiB })
  try {
    let n = 0
    for (;;) {
      const frame = await lp.read({ signal: AbortSignal.timeout(30_000) })
      if (frame.byteLength === 0) break
      n += frame.byteLength
    }
    const ack = Buffer.alloc(8)
    ack.writeBigUInt64BE(BigInt(n))
    await lp.write(ack)
    await stream.close()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}

async function startProfile () {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 1000 })
  await session.post('Profiler.start')
  return session
}

async function stopProfile (session, file) {
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, JSON.stringify(profile))
  return file
}

process.on('message', async (msg) => {
  const { id, cmd, args } = msg
  try {
    const fn = commands[cmd]
    if (fn === undefined) throw new Error(`unknown command ${cmd}`)
    const result = await fn(args ?? {})
    process.send({ id, ok: true, result })
  } catch (err) {
    process.send({ id, ok: false, error: `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}\n${err?.stack ?? ''}` })
  }
})

process.send({ ready: true, pid: process.pid })
