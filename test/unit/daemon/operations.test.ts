// Long operations: progress with rate and ETA, and the backup queue that never runs two backups at
// once and lets an identical request join the one already running or waiting.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BackupQueue, Operation, RateMeter } from '../../../daemon/operations.js'
import type { BackupRequest, Progress } from '../../../daemon/operations.js'
import { deferred } from './deferred.js'
import type { Deferred } from './deferred.js'

describe('RateMeter', () => {
  it('measures bytes per second over a sliding window, never below zero', async () => {
    let t = 0
    const m = new RateMeter(5000, () => t)
    expect(m.sample(0)).toBe(0) // one sample: no rate yet
    t = 1000
    expect(m.sample(1000)).toBe(1000)
    t = 2000
    expect(m.sample(3000)).toBe(1500) // 3000 bytes over 2 s since the first sample
    t = 10_000
    // Samples older than 5 s fall out of the window (two are always kept): the rate is since t = 2 s.
    expect(m.sample(3000 + 8 * 500)).toBe(500)
    t = 11_000
    expect(m.sample(0)).toBe(0) // a counter that went backwards gives 0, not a negative rate
  })

  it('gives 0 for two samples at the same instant', async () => {
    const m = new RateMeter(5000, () => 42)
    m.sample(0)
    expect(m.sample(1e6)).toBe(0)
  })
})

describe('Operation', () => {
  afterEach(() => { vi.useRealTimers() })

  it('run settles result and emits done; info() follows the state', async () => {
    const op = new Operation<string>('restore', ['/home/a'])
    expect(op.info()).toMatchObject({ kind: 'restore', state: 'queued', startedAt: undefined, progress: undefined, paths: ['/home/a'] })
    expect(op.id).toMatch(/^[0-9a-f]{12}$/)
    const done: string[] = []
    op.on('done', (r) => done.push(r))
    const gate = deferred<string>()
    const ran = op.run(async (o) => {
      expect(o).toBe(op)
      expect(op.state).toBe('running')
      return await gate.promise
    })
    expect(op.info().state).toBe('running')
    expect(Date.parse(op.info().startedAt!)).toBeGreaterThanOrEqual(op.queuedAt)
    expect(op.info().queuedAt).toBe(new Date(op.queuedAt).toISOString())
    gate.resolve('snap-1')
    await ran
    expect(await op.result).toBe('snap-1')
    expect(done).toEqual(['snap-1'])
    expect(op.state).toBe('done')
  })

  it('a failing run rejects result, emits failed, and wraps non-Error throws', async () => {
    const op = new Operation('check')
    const failed: Error[] = []
    op.on('failed', (e) => failed.push(e))
    await op.run(async () => { throw 'plain string' })
    expect(op.state).toBe('failed')
    await expect(op.result).rejects.toThrow('plain string')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toBeInstanceOf(Error)
    expect(op.info()).not.toHaveProperty('paths')
  })

  it('an operation whose result nobody awaits does not raise an unhandled rejection', async () => {
    const op = new Operation('check')
    await op.run(async () => { throw new Error('nobody listens') })
    expect(op.state).toBe('failed') // vitest fails the run on an unhandled rejection
  })

  it('report() emits progress with the kind, a rate and an ETA when the total is known', async () => {
    vi.useFakeTimers({ now: 0 }) // before the operation: its rate meter reads this clock
    const op = new Operation('backup')
    const seen: Progress[] = []
    op.on('progress', (p) => seen.push(p))
    op.report({ stage: 'scanning', filesDone: 0, bytesDone: 0 })
    vi.setSystemTime(2000)
    op.report({ stage: 'backing up', filesDone: 3, bytesDone: 4000, totalBytes: 10_000, currentPath: '/a/b' })
    vi.setSystemTime(3000)
    op.report({ stage: 'backing up', filesDone: 4, bytesDone: 4000, totalBytes: 10_000 })
    expect(seen).toHaveLength(3)
    expect(seen[0]).toEqual({ kind: 'backup', stage: 'scanning', filesDone: 0, bytesDone: 0, rate: 0 })
    expect(seen[1]).toEqual({ kind: 'backup', stage: 'backing up', filesDone: 3, bytesDone: 4000, totalBytes: 10_000, currentPath: '/a/b', rate: 2000, etaMs: 3000 })
    // 4000 bytes over 3 s: 6000 left at 1333.3 B/s.
    expect(seen[2]!.rate).toBeCloseTo(4000 / 3)
    expect(seen[2]!.etaMs).toBe(4500)
    expect(op.info().progress).toBe(seen[2])
  })

  it('has no ETA when the total is unknown or nothing moved, and 0 when it is passed', async () => {
    vi.useFakeTimers({ now: 0 })
    const op = new Operation('backup')
    op.report({ stage: 'backing up', filesDone: 0, bytesDone: 0, totalBytes: 100 })
    expect(op.progress).not.toHaveProperty('etaMs') // rate 0
    vi.setSystemTime(1000)
    op.report({ stage: 'backing up', filesDone: 0, bytesDone: 50 })
    expect(op.progress?.rate).toBe(50)
    expect(op.progress).not.toHaveProperty('etaMs') // no total
    vi.setSystemTime(2000)
    op.report({ stage: 'backing up', filesDone: 0, bytesDone: 150, totalBytes: 100 })
    expect(op.progress?.etaMs).toBe(0) // more than announced: nothing left, not negative
  })
})

/** A queue whose backups run until the test releases them. */
function harness (): {
  queue: BackupQueue<string>
  runs: Array<{ req: BackupRequest, op: Operation<string>, done: Deferred<string> }>
  events: string[]
} {
  const runs: Array<{ req: BackupRequest, op: Operation<string>, done: Deferred<string> }> = []
  const events: string[] = []
  const queue = new BackupQueue<string>(async (req, op) => {
    const done = deferred<string>()
    runs.push({ req, op, done })
    op.signal.addEventListener('abort', () => { done.reject(op.signal.reason) })
    return await done.promise
  })
  queue.on('started', (_op, req) => events.push(`started ${req.paths.join(',')} ${req.reason}`))
  queue.on('finished', (op, req) => events.push(`finished ${req.paths.join(',')} ${op.state}`))
  return { queue, runs, events }
}

const req = (paths: string[], tags: string[] = [], reason = 'cli'): BackupRequest => ({ paths, tags, reason })

describe('BackupQueue', () => {
  it('runs one backup at once; an identical request joins the running one, paths and tags in any order', async () => {
    const { queue, runs } = harness()
    const a = queue.request(req(['/a', '/b'], ['x', 'y']))
    expect(a.joined).toBe(false)
    expect(queue.busy).toBe(true)
    expect(runs).toHaveLength(1)
    expect(a.op.state).toBe('running')
    const b = queue.request(req(['/b', '/a'], ['y', 'x'], 'schedule'))
    expect(b).toEqual({ op: a.op, joined: true })
    expect(runs).toHaveLength(1) // not run twice
    expect(queue.operations()).toEqual([a.op])
    runs[0]!.done.resolve('snap-a')
    expect(await a.op.result).toBe('snap-a')
    await waitIdle(queue)
    // Once finished, the same request starts a new backup.
    const c = queue.request(req(['/a', '/b'], ['x', 'y']))
    expect(c.joined).toBe(false)
    expect(c.op).not.toBe(a.op)
    expect(runs).toHaveLength(2)
    runs[1]!.done.resolve('snap-c')
    expect(await c.op.result).toBe('snap-c')
  })

  it('a different request waits and runs after; a request identical to the waiting one joins it', async () => {
    const { queue, runs, events } = harness()
    const a = queue.request(req(['/a']))
    const b = queue.request(req(['/b']))
    const tagged = queue.request(req(['/a'], ['weekly'])) // other tags: a different request
    expect(b.joined).toBe(false)
    expect(tagged.joined).toBe(false)
    expect(b.op.state).toBe('queued')
    const b2 = queue.request(req(['/b'], [], 'schedule'))
    expect(b2).toEqual({ op: b.op, joined: true })
    expect(queue.operations()).toEqual([a.op, b.op, tagged.op])
    expect(runs.map(r => r.req.paths)).toEqual([['/a']])

    runs[0]!.done.resolve('snap-a')
    await expect(a.op.result).resolves.toBe('snap-a')
    await vi.waitFor(() => { expect(runs).toHaveLength(2) }, { interval: 1 })
    expect(runs[1]!.req.paths).toEqual(['/b'])
    expect(runs[1]!.op).toBe(b.op)
    expect(b.op.state).toBe('running')
    expect(queue.operations()).toEqual([b.op, tagged.op])
    // A failure does not stop the queue.
    runs[1]!.done.reject(new Error('disk gone'))
    await expect(b.op.result).rejects.toThrow('disk gone')
    await vi.waitFor(() => { expect(runs).toHaveLength(3) }, { interval: 1 })
    expect(runs[2]!.op).toBe(tagged.op)
    runs[2]!.done.resolve('snap-tagged')
    await expect(tagged.op.result).resolves.toBe('snap-tagged')
    await waitIdle(queue)
    expect(events).toEqual([
      'started /a cli', 'finished /a done',
      'started /b cli', 'finished /b failed',
      'started /a cli', 'finished /a done'
    ])
    expect(queue.operations()).toEqual([])
  })

  it('close() aborts the running backup, fails the waiting ones, resolves once the running one settled', async () => {
    const { queue, runs } = harness()
    const a = queue.request(req(['/a']))
    const b = queue.request(req(['/b']))
    const reason = new Error('shutting down')
    let closed = false
    const closing = queue.close(reason).then(() => { closed = true })
    expect(a.op.signal.aborted).toBe(true)
    expect(a.op.signal.reason).toBe(reason)
    expect(b.op.signal.aborted).toBe(true)
    await expect(b.op.result).rejects.toBe(reason)
    await closing
    expect(closed).toBe(true)
    await expect(a.op.result).rejects.toBe(reason)
    expect(a.op.state).toBe('failed')
    expect(b.op.state).toBe('failed')
    expect(runs).toHaveLength(1) // the waiting backup never ran
    expect(() => queue.request(req(['/a']))).toThrow('shutting down')
    await waitIdle(queue)
    expect(runs).toHaveLength(1)
  })

  it('close() waits for a running backup that finishes its checkpoint before stopping', async () => {
    const runs: Array<Deferred<string>> = []
    // This backup ignores the abort until the test lets it finish (a checkpoint that takes time).
    const queue = new BackupQueue<string>(async () => {
      const d = deferred<string>()
      runs.push(d)
      return await d.promise
    })
    const a = queue.request(req(['/a']))
    let closed = false
    const closing = queue.close(new Error('bye')).then(() => { closed = true })
    await Promise.resolve()
    await Promise.resolve()
    expect(closed).toBe(false)
    runs[0]!.resolve('snap-a')
    await closing
    expect(closed).toBe(true)
    await expect(a.op.result).resolves.toBe('snap-a')
  })

  it('close() with nothing running resolves at once, and later requests throw', async () => {
    const { queue } = harness()
    await queue.close(new Error('bye'))
    expect(() => queue.request(req(['/a']))).toThrow(/shutting down/)
    expect(queue.busy).toBe(false)
  })
})

async function waitIdle (queue: BackupQueue<string>): Promise<void> {
  await vi.waitFor(() => { expect(queue.busy).toBe(false) }, { interval: 1 })
}
