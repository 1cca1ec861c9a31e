// The control API's route table: each route validates its body before calling a daemon service;
// the backup route follows the queued operation and answers its result with `joined`.
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DaemonClient } from '../../../cli/client.js'
import { ROUTES } from '../../../daemon/control/api.js'
import type { BackupAnswer, CheckAnswer, RestoreAnswer, SnapshotRow, Status } from '../../../daemon/control/api.js'
import { buildRoutes, snapshotRow } from '../../../daemon/control/routes.js'
import type { DaemonServices } from '../../../daemon/control/routes.js'
import { startControlServer } from '../../../daemon/control/server.js'
import type { ControlServer, RouteHandler, StreamContext } from '../../../daemon/control/server.js'
import { InvalidArgumentError } from '../../../daemon/errors.js'
import { BackupQueue } from '../../../daemon/operations.js'
import type { Operation, Progress } from '../../../daemon/operations.js'
import type { Owner } from '../../../daemon/owner.js'
import { NodeType } from '../../../daemon/repository/pb/repo.js'
import type { Node, Snapshot } from '../../../daemon/repository/pb/repo.js'
import type { SnapshotInfo } from '../../../daemon/repository/repository.js'
import { setId } from '../../../daemon/snapshot-filter.js'
import { tempDirs } from '../../harness/tmp.js'
import { deferred } from './deferred.js'
import type { Deferred } from './deferred.js'

const dirs = tempDirs()
let server: ControlServer | undefined
afterEach(async () => { await server?.close(); server = undefined; dirs.cleanup() })

const answer = (snapshot: string): Omit<BackupAnswer, 'joined'> => ({
  snapshot,
  degradedPacks: 0,
  summary: { filesNew: 1, filesChanged: 0, filesUnmodified: 0, dirs: 1, totalFiles: 1, totalBytes: 10, bytesRead: 10, bytesAdded: 10, bytesStored: 10, packsAdded: 1, durationMs: 5, warnings: [] },
  skipped: [],
  skippedCount: 0
})
const restored: RestoreAnswer = { snapshot: 's1', target: '/restore', files: 1, dirs: 0, symlinks: 0, bytes: 3, warnings: [], skipped: 0, dryRun: false }
const checked: CheckAnswer = { ok: true, problems: [], snapshots: 1, packs: 1, blobs: 1, unreferencedPacks: 0, bytesRead: 0 }

function snap (id: string, over: Partial<Snapshot> = {}): SnapshotInfo {
  return {
    id,
    snapshot: {
      version: 1,
      timeNs: 1_764_214_800_123_456_789n,
      hostname: 'desk-1',
      owner: 'alice',
      paths: [Buffer.from('/home/alice')],
      tags: ['daily'],
      parent: new Uint8Array(),
      tree: Buffer.from('root'),
      summary: { filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirs: 0, blobsAdded: 0, bytesRead: 0, bytesAdded: 0, bytesStored: 0, totalFiles: 7, totalBytes: 700, durationMs: 0, warnings: [], packsAdded: 0 },
      ...over
    },
    ref: { id: new Uint8Array(), pack: 'p', offset: 0, length: 0, rawLength: 0, compressed: false }
  } as unknown as SnapshotInfo
}

function node (name: string, type: NodeType, extra: Partial<Node> = {}): Node {
  return { name: Buffer.from(name), type, mode: type === NodeType.DIR ? 0o755 : 0o644, size: 0, mtimeNs: 1_700_000_000_000_000_000n, subtree: new Uint8Array(), content: [], ...extra } as unknown as Node
}

/** A fake set of services that records its calls; backups go through a real BackupQueue. */
function services (over: Partial<DaemonServices> = {}): { d: DaemonServices, calls: Array<[string, unknown]>, queue: BackupQueue<BackupAnswer>, runs: Array<{ op: Operation<BackupAnswer>, done: Deferred<BackupAnswer> }> } {
  const calls: Array<[string, unknown]> = []
  const runs: Array<{ op: Operation<BackupAnswer>, done: Deferred<BackupAnswer> }> = []
  const queue = new BackupQueue<BackupAnswer>(async (_req, op) => {
    const done = deferred<BackupAnswer>()
    runs.push({ op, done })
    return await done.promise
  })
  const trees: Record<string, Node[]> = {
    root: [
      node('docs', NodeType.DIR, { subtree: Buffer.from('docs') }),
      node('notes.txt', NodeType.FILE, { size: 12 }),
      node('link', NodeType.SYMLINK)
    ],
    docs: [node('a.txt', NodeType.FILE, { size: 3 }), node('deep', NodeType.DIR, { subtree: Buffer.from('deep') })],
    deep: [node('b.txt', NodeType.FILE, { size: 4 })]
  }
  const owner = {
    repo: {
      findSnapshot: async (s: string) => {
        calls.push(['findSnapshot', s])
        return snap('s1')
      },
      loadTree: async (id: Uint8Array) => ({ nodes: trees[Buffer.from(id).toString()] ?? [] })
    }
  } as unknown as Owner
  const d: DaemonServices = {
    status: () => ({ apiVersion: 1, verdict: 'ok' }) as unknown as Status,
    peers: () => [],
    snapshots: async () => [snap('s1'), snap('s2', { tags: [], summary: undefined })],
    owner: () => owner,
    backup: (body) => {
      calls.push(['backup', body])
      return queue.request({ paths: body.paths ?? ['/configured'], tags: body.tags ?? [], reason: 'cli' })
    },
    restore: async (body, progress, signal) => {
      calls.push(['restore', body])
      progress({ kind: 'restore', stage: 'restoring', filesDone: 1, bytesDone: 3, rate: 0 })
      expect(signal).toBeInstanceOf(AbortSignal)
      return restored
    },
    check: async (body) => { calls.push(['check', body]); return checked },
    keyPasswd: async (body) => { calls.push(['keyPasswd', body]); return { changed: true, storedInSwarm: false } },
    keyRecovery: async (body) => { calls.push(['keyRecovery', body]); return { recoveryKey: 'words' } },
    keyVerify: async (body) => { calls.push(['keyVerify', body]); return { ok: true } },
    ownerReload: async () => ({ owner: 'alice' }),
    away: async (body) => { calls.push(['away', body]); return { awayUntil: body.until === null ? null : new Date(body.until).toISOString(), told: 0, online: 0 } },
    leave: async (body) => { calls.push(['leave', body]); return { leaving: body.cancel !== true, moved: 0, dropped: 0, bytes: 0, kept: 0 } },
    peersForget: async (body) => { calls.push(['peersForget', body]); return { peerId: body.peer, liveness: 'gone', heldForUs: { packs: 0, bytes: 0 }, heldForThem: 0 } },
    history: () => [],
    ...over
  }
  return { d, calls, queue, runs }
}

function route (routes: RouteHandler[], r: { method: string, path: string }): RouteHandler {
  const found = routes.find(x => x.method === r.method && x.path === r.path)
  if (found === undefined) throw new Error(`no route ${r.path}`)
  return found
}

/** Calls a route's handler directly, with progress and queued lines collected. */
async function invoke (routes: RouteHandler[], r: { method: string, path: string }, body: unknown): Promise<{ result: unknown, progress: Progress[], queued: Array<[string, boolean]> }> {
  const progress: Progress[] = []
  const queued: Array<[string, boolean]> = []
  const ctx: StreamContext = { body, signal: new AbortController().signal, progress: (p) => progress.push(p), queued: (o, j) => queued.push([o, j]) }
  const result = await (route(routes, r).handle as (c: StreamContext) => Promise<unknown>)(ctx)
  return { result, progress, queued }
}

describe('buildRoutes', () => {
  it('has one handler per route of the API, streamed where the API says so', async () => {
    const routes = buildRoutes(services().d)
    expect(routes.map(r => `${r.method} ${r.path}`).sort()).toEqual(Object.values(ROUTES).map(r => `${r.method} ${r.path}`).sort())
    for (const spec of Object.values(ROUTES)) expect(route(routes, spec).stream === true).toBe('stream' in spec && spec.stream)
  })

  it.each([
    ['restore', ROUTES.restore, { snapshot: 'latest', target: 'relative/dir' }, 'target', /absolute path/],
    ['restore', ROUTES.restore, { target: '/abs' }, 'snapshot', /./],
    ['restore', ROUTES.restore, { snapshot: '', target: '/abs' }, 'snapshot', /./],
    ['restore', ROUTES.restore, { snapshot: 's', target: '/abs', include: 'docs' }, 'include', /./],
    ['restore', ROUTES.restore, { snapshot: 's', target: '/abs', overwrite: 'sometimes' }, 'overwrite', /./],
    ['backup', ROUTES.backup, { paths: '/home/alice' }, 'paths', /./],
    ['backup', ROUTES.backup, { paths: ['/ok', 'not/absolute'] }, 'paths.1', /absolute path/],
    ['backup', ROUTES.backup, { tags: [''] }, 'tags.0', /./],
    ['backup', ROUTES.backup, { tags: ['x'.repeat(129)] }, 'tags.0', /./],
    ['check', ROUTES.check, { readData: 'yes' }, 'readData', /./],
    ['ls', ROUTES.ls, {}, 'snapshot', /./],
    ['keyPasswd', ROUTES.keyPasswd, { oldPassphrase: 'a', newPassphrase: 5 }, 'newPassphrase', /./],
    ['keyRecovery', ROUTES.keyRecovery, {}, 'passphrase', /./],
    ['keyVerify', ROUTES.keyVerify, { passphrase: 1 }, 'passphrase', /./]
  ] as const)('%s rejects a bad body (%j) with InvalidArgumentError naming %s', async (_name, r, body, field, message) => {
    const { d, calls } = services()
    const err = await invoke(buildRoutes(d), r, body).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidArgumentError)
    const e = err as InvalidArgumentError
    expect(e.message).toMatch(new RegExp(`^bad request \\(${field.replace('.', '\\.')}\\): `))
    expect(e.message).toMatch(message)
    expect(e.hint).toContain('control-api.md')
    expect(calls).toEqual([]) // no service was called
  })

  it('a body that is not an object is refused without a field name', async () => {
    const { d, calls } = services()
    await expect(invoke(buildRoutes(d), ROUTES.restore, 'latest')).rejects.toThrow(/^bad request: /)
    await expect(invoke(buildRoutes(d), ROUTES.backup, [1])).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(calls).toEqual([])
  })

  it('passes valid bodies on, and streams restore progress', async () => {
    const { d, calls } = services()
    const routes = buildRoutes(d)
    const r = await invoke(routes, ROUTES.restore, { snapshot: 'latest', target: '/restore', include: ['docs/**'], overwrite: 'if-newer', dryRun: true })
    expect(r.result).toEqual(restored)
    expect(r.progress).toEqual([{ kind: 'restore', stage: 'restoring', filesDone: 1, bytesDone: 3, rate: 0 }])
    expect((await invoke(routes, ROUTES.check, { readData: true })).result).toEqual(checked)
    expect((await invoke(routes, ROUTES.keyPasswd, { oldPassphrase: '', newPassphrase: 'n' })).result).toEqual({ changed: true, storedInSwarm: false })
    expect((await invoke(routes, ROUTES.keyRecovery, { passphrase: 'p' })).result).toEqual({ recoveryKey: 'words' })
    // An empty new passphrase reaches the daemon, which answers WeakPassphraseError (not a schema message).
    expect((await invoke(routes, ROUTES.keyPasswd, { oldPassphrase: 'o', newPassphrase: '' })).result).toEqual({ changed: true, storedInSwarm: false })
    expect((await invoke(routes, ROUTES.keyVerify, { passphrase: 'v' })).result).toEqual({ ok: true })
    expect((await invoke(routes, ROUTES.ownerReload, {})).result).toEqual({ owner: 'alice' })
    expect(calls).toEqual([
      ['restore', { snapshot: 'latest', target: '/restore', include: ['docs/**'], overwrite: 'if-newer', dryRun: true }],
      ['check', { readData: true }],
      ['keyPasswd', { oldPassphrase: '', newPassphrase: 'n' }],
      ['keyRecovery', { passphrase: 'p' }],
      ['keyPasswd', { oldPassphrase: 'o', newPassphrase: '' }],
      ['keyVerify', { passphrase: 'v' }]
    ])
  })

  it('backup: announces the operation, streams its progress, answers {...result, joined}', async () => {
    const { d, runs } = services()
    const routes = buildRoutes(d)
    const first = invoke(routes, ROUTES.backup, { paths: ['/home/alice'] })
    const second = invoke(routes, ROUTES.backup, { paths: ['/home/alice'] }) // identical: joins
    await vi.waitFor(() => { expect(runs).toHaveLength(1) }, { interval: 1 })
    const op = runs[0]!.op
    expect(op.listenerCount('progress')).toBe(2)
    op.report({ stage: 'backing up', filesDone: 1, bytesDone: 5 })
    op.report({ stage: 'committing', filesDone: 2, bytesDone: 10 })
    runs[0]!.done.resolve({ ...answer('snap-1'), joined: false })
    const [a, b] = await Promise.all([first, second])
    expect(a.queued).toEqual([[op.id, false]])
    expect(b.queued).toEqual([[op.id, true]])
    expect(a.result).toEqual({ ...answer('snap-1'), joined: false })
    expect(b.result).toEqual({ ...answer('snap-1'), joined: true })
    expect(a.progress.map(p => p.stage)).toEqual(['backing up', 'committing'])
    expect(b.progress).toEqual(a.progress)
    expect(a.progress[0]).toMatchObject({ kind: 'backup', filesDone: 1, bytesDone: 5 })
    expect(op.listenerCount('progress')).toBe(0) // the route stopped listening
    expect(runs).toHaveLength(1)
  })

  it('backup: a failed operation fails the route, and it stops listening', async () => {
    const { d, runs } = services()
    const pending = invoke(buildRoutes(d), ROUTES.backup, {})
    pending.catch(() => {})
    await vi.waitFor(() => { expect(runs).toHaveLength(1) }, { interval: 1 })
    runs[0]!.done.reject(new Error('no peers online'))
    await expect(pending).rejects.toThrow('no peers online')
    expect(runs[0]!.op.listenerCount('progress')).toBe(0)
  })

  it('snapshots become rows with RFC 3339 times (to the nanosecond), string paths and the summary\'s totals', async () => {
    const routes = buildRoutes(services().d)
    const { result } = await invoke(routes, ROUTES.snapshots, {})
    expect(result).toEqual([
      { id: 's1', time: '2025-11-27T03:40:00.123456789Z', hostname: 'desk-1', owner: 'alice', paths: ['/home/alice'], tags: ['daily'], files: 7, bytes: 700, set: setId(['/home/alice'], ['daily']), origin: 'unrecorded', latest: false },
      { id: 's2', time: '2025-11-27T03:40:00.123456789Z', hostname: 'desk-1', owner: 'alice', paths: ['/home/alice'], tags: [], files: 0, bytes: 0, set: setId(['/home/alice'], []), origin: 'unrecorded', latest: true }
    ])
    expect(snapshotRow(snap('x')).time).toBe('2025-11-27T03:40:00.123456789Z')
    expect((await invoke(routes, ROUTES.status, {})).result).toMatchObject({ apiVersion: 1 })
    expect((await invoke(routes, ROUTES.peers, {})).result).toEqual([])
  })

  it('snapshots with filters (POST): only the matching rows, and `latest` marks the newest that matches', async () => {
    const { d } = services({ configuredPaths: () => ['/home/alice'] })
    const routes = buildRoutes(d)
    const rows = (await invoke(routes, ROUTES.snapshotsFiltered, { filter: { tags: [['daily']] } })).result as SnapshotRow[]
    expect(rows.map(r => [r.id, r.latest])).toEqual([['s1', true]])
    // Without filters `latest` is the configured set's (backup.paths, no tags): s2, not the tagged s1.
    const all = (await invoke(routes, ROUTES.snapshotsFiltered, {})).result as SnapshotRow[]
    expect(all.map(r => [r.id, r.latest])).toEqual([['s1', false], ['s2', true]])
    await expect(invoke(routes, ROUTES.snapshotsFiltered, { filter: { paths: ['relative'] } })).rejects.toThrow(/must be an absolute path/)
  })

  it('ls and restore pass the filters on; a backup tag with a comma is refused', async () => {
    const seen: unknown[] = []
    const { d, calls } = services({ configuredPaths: () => ['/home/alice'] })
    const findSnapshot = (d.owner().repo as unknown as { findSnapshot: (s: string, sel: unknown) => Promise<unknown> })
    const orig = findSnapshot.findSnapshot
    findSnapshot.findSnapshot = async (s: string, sel: unknown) => { seen.push(sel); return await orig(s, sel) }
    const routes = buildRoutes(d)
    await invoke(routes, ROUTES.ls, { snapshot: 'latest', filter: { paths: ['/tmp/x'], hosts: ['desk-1'] } })
    expect(seen).toEqual([{ filter: { paths: ['/tmp/x'], hosts: ['desk-1'] }, configuredPaths: ['/home/alice'] }])
    await invoke(routes, ROUTES.restore, { snapshot: 'latest', target: '/t', filter: { tags: [['a', 'b']] } })
    expect(calls.at(-1)).toEqual(['restore', { snapshot: 'latest', target: '/t', filter: { tags: [['a', 'b']] } }])
    await expect(invoke(routes, ROUTES.backup, { tags: ['a,b'] })).rejects.toThrow(/a tag cannot contain a comma/)
  })

  it('ls lists the whole snapshot, or one folder and what is under it', async () => {
    const { d, calls } = services()
    const routes = buildRoutes(d)
    const all = (await invoke(routes, ROUTES.ls, { snapshot: 's1' })).result as Array<{ path: string, type: string, size: number, mode: string, mtime: string }>
    expect(all.map(e => e.path)).toEqual(['/docs', '/docs/a.txt', '/docs/deep', '/docs/deep/b.txt', '/notes.txt', '/link'])
    expect(all[1]).toEqual({ path: '/docs/a.txt', type: 'file', size: 3, mode: '644', mtime: '2023-11-14T22:13:20.000000000Z' })
    expect(all.map(e => e.type)).toEqual(['dir', 'file', 'dir', 'file', 'file', 'symlink'])
    expect(calls).toEqual([['findSnapshot', 's1']])
    const docs = (await invoke(routes, ROUTES.ls, { snapshot: 's1', path: 'docs/' })).result as Array<{ path: string }>
    expect(docs.map(e => e.path)).toEqual(['/docs', '/docs/a.txt', '/docs/deep', '/docs/deep/b.txt'])
    const deep = (await invoke(routes, ROUTES.ls, { snapshot: 's1', path: '/docs/deep' })).result as Array<{ path: string }>
    expect(deep.map(e => e.path)).toEqual(['/docs/deep', '/docs/deep/b.txt'])
    const file = (await invoke(routes, ROUTES.ls, { snapshot: 's1', path: '/notes.txt' })).result as Array<{ path: string }>
    expect(file.map(e => e.path)).toEqual(['/notes.txt'])
  })

  it('through the control server and DaemonClient: the same answers, errors and joined backups', async () => {
    const { d, runs } = services()
    const socketPath = join(dirs.make('p2pbak-routes-'), 'control.sock')
    server = await startControlServer({ socketPath, routes: buildRoutes(d) })
    const client = new DaemonClient({ socketPath })
    await expect(client.restore({ snapshot: 'latest', target: 'rel' })).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining('(target)') })
    await expect(client.ls('')).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining('(snapshot)') })
    expect(await client.restore({ snapshot: 'latest', target: '/restore' })).toEqual(restored)

    const progressA: number[] = []
    const queuedA: Array<[string, boolean]> = []
    const queuedB: Array<[string, boolean]> = []
    const a = client.backup({ paths: ['/x', '/y'] }, { onProgress: (p) => progressA.push(p.bytesDone), onQueued: (o, j) => queuedA.push([o, j]) })
    await vi.waitFor(() => { expect(queuedA).toHaveLength(1) }, { interval: 2 })
    const b = client.backup({ paths: ['/y', '/x'] }, { onQueued: (o, j) => queuedB.push([o, j]) })
    await vi.waitFor(() => { expect(queuedB).toHaveLength(1) }, { interval: 2 })
    const op = runs[0]!.op
    expect(queuedA).toEqual([[op.id, false]])
    expect(queuedB).toEqual([[op.id, true]])
    op.report({ stage: 'backing up', filesDone: 1, bytesDone: 42 })
    await vi.waitFor(() => { expect(progressA).toEqual([42]) }, { interval: 2 })
    runs[0]!.done.resolve({ ...answer('snap-9'), joined: false })
    expect(await a).toEqual({ ...answer('snap-9'), joined: false })
    expect(await b).toEqual({ ...answer('snap-9'), joined: true })
    expect(runs).toHaveLength(1)
  })
})
