// The holder after a crash or a power failure, and with a full disk: what it answered DURABLE is
// still there and counted after a restart, files and rows that disagree are reconciled, and a full
// disk (ENOSPC, SQLITE_FULL) is the NO_SPACE answer, never an internal error.
import { existsSync, mkdirSync, readdirSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { Holder } from '../../../daemon/swarm/holder.js'
import { shardOf } from '../../../daemon/store/dir-store.js'
import { packIdOf } from '../../../protocol/ids.js'
import { tempDirs } from '../../harness/tmp.js'
import { mountTmpfs } from '../../harness/tmpfs.js'
import type { Tmpfs } from '../../harness/tmpfs.js'

const dirs = tempDirs()
const open: Holder[] = []
let fs: Tmpfs | undefined
afterEach(async () => {
  for (const h of open.splice(0)) await h.close().catch(() => {})
  fs?.unmount()
  fs = undefined
  dirs.cleanup()
})

async function * once (b: Uint8Array): AsyncIterable<Uint8Array> { yield b }
const owner = new Uint8Array(32).fill(3)

async function holderAt (dir: string): Promise<Holder> {
  const h = new Holder({ dir, quota: 1e9, reserve: 0, domain: '', diskFree: () => 1e12 })
  open.push(h)
  await h.open()
  return h
}

async function give (h: Holder, bytes: Uint8Array): Promise<string> {
  const packId = packIdOf(bytes)
  expect(await h.receive({ packId, size: bytes.byteLength, ownerKey: owner, from: 'peer-a', replicas: 3 }, once(bytes))).toBe('durable')
  return packId
}

const packFile = (dir: string, id: string): string => join(dir, 'store', 'packs', shardOf(id), id)

describe('holder after a crash', () => {
  it('commits a received pack with synchronous=FULL before answering DURABLE, so the answer survives a power failure', async () => {
    const h = await holderAt(dirs.make('p2pbak-holder-sync-'))
    const db = (h as unknown as { db: Database.Database }).db
    // What the connection's synchronous level is while the pack's row is written.
    const seen: unknown[] = []
    const prepare = db.prepare.bind(db)
    db.prepare = ((sql: string) => {
      if (sql.startsWith('INSERT OR IGNORE INTO held')) seen.push(db.pragma('synchronous', { simple: true }))
      return prepare(sql)
    }) as typeof db.prepare
    await give(h, Buffer.from('a pack answered durable '.repeat(40)))
    expect(seen).toEqual([2]) // 2 = FULL
    expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL again for the round bookkeeping
  })

  it('on open: adopts a file without a row that hashes to its name, deletes one that does not, drops rows whose file is missing or of the wrong size, and empties tmp/', async () => {
    const dir = dirs.make('p2pbak-holder-reconcile-')
    const h = await holderAt(dir)
    const kept = await give(h, Buffer.from('kept '.repeat(300)))
    const orphan = await give(h, Buffer.from('answered durable, row lost '.repeat(200)))
    const truncated = await give(h, Buffer.from('truncated later '.repeat(400)))
    const vanished = await give(h, Buffer.from('file deleted later '.repeat(100)))
    await h.close()
    open.splice(0)
    // A power failure that lost the last commit: the file is there, its row is not.
    const db = new Database(join(dir, 'holder.db'))
    db.prepare('DELETE FROM held WHERE pack = ?').run(orphan)
    db.prepare('DELETE FROM claims WHERE pack = ?').run(orphan)
    db.close()
    // A file named like a pack whose bytes are something else.
    const impostorBytes = Buffer.from('the real pack')
    const impostor = packIdOf(Buffer.from('what the name promises'))
    mkdirSync(join(dir, 'store', 'packs', shardOf(impostor)), { recursive: true })
    writeFileSync(packFile(dir, impostor), impostorBytes)
    truncateSync(packFile(dir, truncated), 10)
    unlinkSync(packFile(dir, vanished))
    // An interrupted receive left its temporary file.
    writeFileSync(join(dir, 'store', 'tmp', `${orphan}.abcdef`), 'half a pack')

    const again = await holderAt(dir)
    expect(again.isHeld(kept)).toBe(true)
    expect(again.isHeld(orphan)).toBe(true)
    expect(packIdOf((await again.read(orphan))!)).toBe(orphan)
    expect(again.has([impostor, truncated, vanished])).toEqual([false, false, false])
    expect(existsSync(packFile(dir, impostor))).toBe(false)
    expect(existsSync(packFile(dir, truncated))).toBe(false)
    expect(readdirSync(join(dir, 'store', 'tmp'))).toEqual([])
    expect(again.info().used).toBe(1500 + 'answered durable, row lost '.length * 200)
    // The adopted copy has no claim yet: its owner earns one by sending the bytes again.
    expect(again.packInfo(orphan)!.claims).toEqual([])
    expect(again.admit({ packId: orphan, size: 5400, ownerKey: owner, from: 'peer-a' })).toBe('ready')
  })
})

describe('holder with a full disk (a real tmpfs)', () => {
  it('answers no-space when the pack file does not fit, and keeps nothing', async () => {
    fs = mountTmpfs(1024 * 1024)
    const dir = join(fs.dir, 'held')
    const h = await holderAt(dir)
    await give(h, Buffer.from('first '.repeat(100)))
    fs.fill()
    const bytes = Buffer.from('does not fit '.repeat(50))
    const packId = packIdOf(bytes)
    expect(await h.receive({ packId, size: bytes.byteLength, ownerKey: owner, from: 'peer-a' }, once(bytes))).toBe('no-space')
    expect(h.isHeld(packId)).toBe(false)
    expect(existsSync(packFile(dir, packId))).toBe(false)
  })

  it('answers no-space when the pack fits but its row does not (SQLITE_FULL), and removes the file again', async () => {
    fs = mountTmpfs(1024 * 1024)
    const dir = join(fs.dir, 'held')
    const h = await holderAt(dir)
    await give(h, Buffer.from('first '.repeat(100)))
    fs.fill(4096) // one page: the pack file takes it, the database's WAL cannot grow
    const bytes = Buffer.from('fits, but its row does not '.repeat(20))
    const packId = packIdOf(bytes)
    expect(await h.receive({ packId, size: bytes.byteLength, ownerKey: owner, from: 'peer-a' }, once(bytes))).toBe('no-space')
    expect(h.isHeld(packId)).toBe(false)
    expect(existsSync(packFile(dir, packId))).toBe(false)
  })
})
