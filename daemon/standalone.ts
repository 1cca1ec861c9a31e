// Restore on a fresh machine (docs/restore.md): no daemon, no config from the old machine, no
// local database; only the office's swarm key and the owner's name and passphrase (or the
// recovery key). A short-lived swarm peer joins the office (bootstrap addresses and/or mDNS),
// finds the owner's key record and root record on the peers, and restores the latest (or a
// chosen) snapshot, most recently modified files first, every pack verified. It holds nothing for
// others (quota 0). What it learns (the index, where the packs are) stays in
// the state directory, so that an interrupted restore resumes and `p2pbak init --adopt` can make
// this machine the owner afterwards without uploading again what the peers hold.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config/index.js'
import { deleteSignedBytes } from '../protocol/index.js'
import { NoHolderError } from './swarm/swarm-store.js'
import { createKeyFileAsync, encodeKeyFile, readKeyFile, recoveryKeyToMasterKey, unwrapKeyFileAsync, writeKeyFile } from './crypto/index.js'
import { AlreadyExistsError, IntegrityError, NotInitializedError } from './errors.js'
import { KEY_FILE_NAME, OWNER_DIR_NAME, keyRecordKey, lockStateDir, openOwner, readUnattendedKey, writeUnattendedKey } from './owner.js'
import type { Owner } from './owner.js'
import { restore } from './restorer.js'
import type { SnapshotFilter } from './snapshot-filter.js'
import type { OverwriteMode, RestoreProgress, RestoreResult } from './restorer.js'
import { createSwarmPeer } from './swarm/peer.js'
import type { SwarmPeer } from './swarm/peer.js'
import { loadOrCreateNodeKey, readSwarmKeyFile } from './swarm/index.js'
import { SwarmStore } from './swarm/swarm-store.js'

export interface SwarmSessionOptions {
  config: Config
  /** How long to look for the first peer of the office (ms). Default 30 s. */
  findPeersMs?: number
  log?: (message: string) => void
}

/** A temporary peer of the office with the owner's swarm store, for commands that run without a daemon. */
export interface SwarmSession {
  peer: SwarmPeer
  store: SwarmStore
  ownerDir: string
  /** The peers that served pack bytes in the last `windowMs`. */
  servingPeers: (windowMs?: number) => number
  close: () => Promise<void>
}

/** Listen addresses with port 0: a short-lived peer must not take the daemon's port. */
function ephemeralListen (listen: readonly string[]): string[] {
  return listen.map(a => a.replace(/\/tcp\/\d+/, '/tcp/0'))
}

export async function joinSwarm (o: SwarmSessionOptions): Promise<SwarmSession> {
  const c = o.config
  const swarmKey = readSwarmKeyFile(c.network.swarmKeyFile)
  mkdirSync(c.stateDir, { recursive: true, mode: 0o700 })
  const unlock = lockStateDir(c.stateDir)
  let peer: SwarmPeer | undefined
  try {
    peer = await createSwarmPeer({
      stateDir: c.stateDir,
      node: {
        privateKey: await loadOrCreateNodeKey(c.stateDir),
        swarmKey,
        listen: ephemeralListen(c.network.listen),
        bootstrap: [...c.network.bootstrap],
        mdns: c.network.mdns,
        allow: [...c.network.allow],
        maxConnections: c.network.maxConnections
      },
      // Holds nothing for others while restoring,
      // and tells peers it is ephemeral: they never pick it as a holder and forget it when it leaves.
      holder: { dir: c.storage.dir, quota: 0, reserve: c.storage.reserve, domain: c.storage.domain, ephemeral: true }
    })
    await peer.start()
    const libp2p = peer.node.libp2p
    const deadline = Date.now() + (o.findPeersMs ?? 30_000)
    while (libp2p.getPeers().length === 0) {
      if (Date.now() > deadline) {
        throw new NoHolderError('no peer of the office could be reached', {
          hint: `check that ${c.network.swarmKeyFile} is the office's swarm key and that colleagues' daemons run; on another network give one of them with --bootstrap /ip4/ADDR/tcp/PORT/p2p/PEER_ID (\`p2pbak status\` on that machine shows it)`
        })
      }
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    // The first peer knows the others (its DHT routing table): one lookup connects us to them.
    try {
      for await (const _ of libp2p.peerRouting.getClosestPeers(libp2p.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(10_000) })) { /* dials as it goes */ }
    } catch {}
    o.log?.(`connected to ${libp2p.getPeers().length} peer(s) of the office`)
    const ownerDir = join(c.stateDir, OWNER_DIR_NAME)
    mkdirSync(ownerDir, { recursive: true, mode: 0o700 })
    const signer = { publicKey: new Uint8Array(32), sign: (_: Uint8Array): Uint8Array => new Uint8Array(64) }
    const store = new SwarmStore({ transport: peer.transport, owner: signer, stateDir: ownerDir, replicas: c.redundancy.replicas, deleteSignedBytes })
    const served: Array<{ at: number, peer: string }> = []
    const origGet = peer.transport.getPack
    peer.transport.getPack = async (p, id, opts) => {
      const bytes = await origGet(p, id, opts)
      if (bytes !== undefined) { served.push({ at: Date.now(), peer: p }); if (served.length > 1000) served.splice(0, 500) }
      return bytes
    }
    const p = peer
    return {
      peer: p,
      store,
      ownerDir,
      servingPeers: (windowMs = 10_000) => new Set(served.filter(s => s.at > Date.now() - windowMs).map(s => s.peer)).size,
      close: async () => {
        await store.close()
        await p.stop()
        unlock()
      }
    }
  } catch (err) {
    await peer?.stop().catch(() => {})
    unlock()
    throw err
  }
}

export interface FreshRestoreOptions extends SwarmSessionOptions {
  /** The owner's name with its passphrase, or the recovery key (then the name is not needed). */
  ownerName?: string
  passphrase?: string
  recoveryKey?: string
  snapshot: string
  /** restic's filters; `latest` without them is the newest snapshot recorded as of the configured set. */
  filter?: SnapshotFilter
  target: string
  include?: string[]
  overwrite?: OverwriteMode
  dryRun?: boolean
  onProgress?: (p: RestoreProgress & { peers: number }) => void
  signal?: AbortSignal
}

export interface FreshRestoreResult extends RestoreResult {
  owner: string
  snapshot: string
  target: string
  dryRun: boolean
}

/** The owner, opened through the session's swarm store: by name and passphrase, or by the recovery key. */
async function openSessionOwner (session: SwarmSession, o: { ownerName?: string, passphrase?: string, recoveryKey?: string }): Promise<Owner> {
  return await openOwner({
    stateDir: session.ownerDir,
    backend: session.store,
    ...(o.recoveryKey !== undefined ? { recoveryKey: o.recoveryKey } : { passphrase: o.passphrase ?? '' }),
    ...(o.ownerName === undefined ? {} : { ownerName: o.ownerName })
  })
}

/** The whole lost-laptop restore (docs/restore.md). */
export async function restoreFromSwarm (o: FreshRestoreOptions): Promise<FreshRestoreResult> {
  const session = await joinSwarm(o)
  let owner: Owner | undefined
  try {
    owner = await openSessionOwner(session, o)
    // No config here: the configured set is the one the snapshots recorded (format.md §7).
    const snap = await owner.repo.findSnapshot(o.snapshot, o.filter === undefined ? {} : { filter: o.filter })
    o.log?.(`restoring snapshot ${snap.id.slice(0, 8)} of ${owner.name || 'this owner'} into ${o.target}`)
    const r = await restore(owner.repo, snap, o.target, {
      order: 'recent-first',
      resume: true,
      ...(o.include === undefined ? {} : { include: o.include }),
      ...(o.overwrite === undefined ? {} : { overwrite: o.overwrite }),
      dryRun: o.dryRun === true,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      onProgress: (p) => { o.onProgress?.({ ...p, peers: session.servingPeers() }) }
    })
    return { ...r, owner: owner.name, snapshot: snap.id, target: o.target, dryRun: o.dryRun === true }
  } finally {
    await owner?.close()
    await session.close()
  }
}

export interface AdoptOptions extends SwarmSessionOptions {
  ownerName: string
  /** The owner's passphrase; or the recovery key with a new passphrase for the new key file. */
  passphrase?: string
  recoveryKey?: string
  newPassphrase?: string
}

/**
 * `p2pbak init --adopt`: this machine becomes an existing owner. Its key file comes from the swarm
 * (or is made anew from the recovery key, with a new passphrase), its index is rebuilt from the
 * owner's stored indexes, so the next backup stores only what the peers do not hold yet, and the
 * unattended key lets the daemon run it on schedule. Reuses what a restore on this machine
 * already fetched.
 */
export async function adoptOwner (o: AdoptOptions): Promise<{ ownerId: string, snapshots: number }> {
  const ownerDir = join(o.config.stateDir, OWNER_DIR_NAME)
  const local = existsSync(join(ownerDir, KEY_FILE_NAME)) ? readKeyFile(join(ownerDir, KEY_FILE_NAME)) : undefined
  if (local !== undefined && local.owner !== o.ownerName.normalize('NFC')) {
    throw new AlreadyExistsError(`${o.config.stateDir} already holds owner "${local.owner}"`, { hint: 'use a fresh state directory (--state-dir) to adopt another owner' })
  }
  const session = await joinSwarm(o)
  let owner: Owner | undefined
  try {
    owner = await openSessionOwner(session, o)
    if (owner.keyFile === undefined && o.recoveryKey === undefined) throw new NotInitializedError(`no owner named "${o.ownerName}" in the office`)
    let master: Uint8Array
    if (o.recoveryKey !== undefined) {
      master = recoveryKeyToMasterKey(o.recoveryKey)
      // The swarm's key file is opened by a passphrase we do not have: wrap the same master key
      // with the new passphrase, here and in the swarm (the record is the owner's, so it may replace it).
      const { keyFile } = await createKeyFileAsync({ ownerName: o.ownerName, passphrase: o.newPassphrase ?? '', masterKey: master })
      if (owner.keyFile !== undefined && owner.keyFile.publicKey !== keyFile.publicKey) {
        throw new IntegrityError(`the recovery key does not belong to owner "${o.ownerName}"`, [], { hint: 'check the owner name, or the 24 words' })
      }
      writeKeyFile(join(ownerDir, KEY_FILE_NAME), keyFile, { replace: local !== undefined })
      await session.store.putRecord(keyRecordKey(o.ownerName), encodeKeyFile(keyFile))
    } else {
      master = await unwrapKeyFileAsync(owner.keyFile!, o.passphrase ?? '')
      if (local === undefined) writeKeyFile(join(ownerDir, KEY_FILE_NAME), owner.keyFile!)
    }
    // The unattended key is the master key itself: one already here is this owner's (the key file
    // check above), or something is badly wrong.
    const present = readUnattendedKey(ownerDir)
    if (present === undefined) writeUnattendedKey(ownerDir, master)
    else if (!Buffer.from(present).equals(Buffer.from(master))) {
      throw new AlreadyExistsError(`${ownerDir} holds the unattended key of another owner`, { hint: 'use a fresh state directory (--state-dir) to adopt this owner' })
    }
    const snapshots = (await owner.repo.listSnapshots()).length
    return { ownerId: owner.keys.ownerId, snapshots }
  } finally {
    await owner?.close()
    await session.close()
  }
}
