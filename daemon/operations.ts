// Long operations (backup, restore, check) as objects the control API can list, follow and stop.
// Each emits typed progress events (STYLE.md §13) with a rate and, when the total is known, an
// ETA. Backups go through one queue: never two at once, and a backup asked for while an identical
// one runs or waits joins it instead of running twice.
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { rfc3339FromMs } from './time.js'

export type OperationKind = 'backup' | 'restore' | 'check' | 'leave'
export type OperationState = 'queued' | 'running' | 'done' | 'failed'

/** One progress report; every field but `kind` and `stage` may be absent when it does not apply yet. */
export interface Progress {
  kind: OperationKind
  /** What is happening now: "scanning", "backing up", "committing", "restoring", "checking", "reading packs". */
  stage: string
  filesDone: number
  bytesDone: number
  /** From the scan that runs beside a backup, or the snapshot's summary on restore. */
  totalFiles?: number
  totalBytes?: number
  /** Packs stored with all their replicas (backup). */
  packsStored?: number
  /** Bytes per second over the last seconds (of `bytesDone`). */
  rate: number
  /** Pack bytes actually sent to holders (backup: replication). */
  bytesSent?: number
  /** Bytes per second of `bytesSent` over the last seconds (a sliding window, not an average since the start). */
  sendRate?: number
  /** ms, when the total is known and the rate is not zero. */
  etaMs?: number
  currentPath?: string
}

export interface OperationInfo {
  id: string
  kind: OperationKind
  state: OperationState
  /** RFC 3339 (daemon/time.ts). */
  queuedAt: string
  /** RFC 3339; absent until it starts. */
  startedAt: string | undefined
  progress: Progress | undefined
  /** For a backup: the paths it covers. */
  paths?: string[]
}

export interface OperationEvents<R> {
  progress: [Progress]
  done: [R]
  failed: [Error]
}

export class Operation<R = unknown> extends EventEmitter<OperationEvents<R>> {
  readonly id = randomBytes(6).toString('hex')
  readonly queuedAt = Date.now()
  startedAt: number | undefined
  state: OperationState = 'queued'
  progress: Progress | undefined
  readonly controller = new AbortController()
  readonly result: Promise<R>
  private settle!: { resolve: (r: R) => void, reject: (e: Error) => void }
  private readonly rate: RateMeter
  private readonly sendRate: RateMeter

  constructor (readonly kind: OperationKind, readonly paths?: string[], now: () => number = Date.now) {
    super()
    this.rate = new RateMeter(RATE_WINDOW_MS, now)
    this.sendRate = new RateMeter(RATE_WINDOW_MS, now)
    this.result = new Promise<R>((resolve, reject) => { this.settle = { resolve, reject } })
    this.result.catch(() => {}) // a caller that never awaits must not crash the daemon
  }

  get signal (): AbortSignal { return this.controller.signal }

  /** Runs `fn` once; the result settles `result` and emits done or failed. */
  async run (fn: (op: this) => Promise<R>): Promise<void> {
    this.state = 'running'
    this.startedAt = Date.now()
    try {
      const r = await fn(this)
      this.state = 'done'
      this.settle.resolve(r)
      this.emit('done', r)
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err))
      this.state = 'failed'
      this.settle.reject(e)
      this.emit('failed', e)
    }
  }

  /** Fails an operation that never ran (dropped from a queue). */
  fail (err: Error): void {
    if (this.state !== 'queued') return
    this.state = 'failed'
    this.controller.abort(err)
    this.settle.reject(err)
    this.emit('failed', err)
  }

  report (p: Omit<Progress, 'kind' | 'rate' | 'etaMs' | 'sendRate'>): void {
    const rate = this.rate.sample(p.bytesDone)
    const left = p.totalBytes === undefined ? undefined : Math.max(0, p.totalBytes - p.bytesDone)
    const progress: Progress = { kind: this.kind, ...p, rate }
    if (p.bytesSent !== undefined) progress.sendRate = this.sendRate.sample(p.bytesSent)
    if (left !== undefined && rate > 0) progress.etaMs = Math.round(left / rate * 1000)
    this.progress = progress
    this.emit('progress', progress)
  }

  info (): OperationInfo {
    return {
      id: this.id,
      kind: this.kind,
      state: this.state,
      queuedAt: rfc3339FromMs(this.queuedAt),
      startedAt: this.startedAt === undefined ? undefined : rfc3339FromMs(this.startedAt),
      progress: this.progress,
      ...(this.paths === undefined ? {} : { paths: this.paths })
    }
  }
}

/** The window of progress rates, ms. */
export const RATE_WINDOW_MS = 5000

/**
 * Bytes per second over a sliding window of samples: measured from the newest sample at least
 * `windowMs` old (so over about the window, never since the start while samples keep coming).
 */
export class RateMeter {
  private readonly samples: Array<[number, number]> = []
  constructor (private readonly windowMs = RATE_WINDOW_MS, private readonly now: () => number = Date.now) {}

  sample (total: number): number {
    const t = this.now()
    this.samples.push([t, total])
    while (this.samples.length > 2 && t - this.samples[1]![0] >= this.windowMs) this.samples.shift()
    const [t0, v0] = this.samples[0]!
    return t > t0 ? Math.max(0, (total - v0) / ((t - t0) / 1000)) : 0
  }
}

export interface BackupRequest {
  paths: string[]
  tags: string[]
  /** What asked: "cli", "schedule". */
  reason: string
}

export interface BackupQueueEvents<R> {
  started: [Operation<R>, BackupRequest]
  finished: [Operation<R>, BackupRequest]
}

/**
 * At most one backup runs; identical requests (same paths and tags) join the running or waiting
 * operation; a different one waits its turn (one waiting operation per distinct request).
 */
export class BackupQueue<R> extends EventEmitter<BackupQueueEvents<R>> {
  private running: { key: string, op: Operation<R> } | undefined
  private readonly waiting = new Map<string, { op: Operation<R>, req: BackupRequest }>()
  private closed = false

  constructor (private readonly runBackup: (req: BackupRequest, op: Operation<R>) => Promise<R>) {
    super()
  }

  request (req: BackupRequest): { op: Operation<R>, joined: boolean } {
    if (this.closed) throw new Error('the daemon is shutting down')
    const key = JSON.stringify([[...req.paths].sort(), [...req.tags].sort()])
    if (this.running?.key === key) return { op: this.running.op, joined: true }
    const queued = this.waiting.get(key)
    if (queued !== undefined) return { op: queued.op, joined: true }
    const op = new Operation<R>('backup', req.paths)
    if (this.running === undefined) this.start(key, op, req)
    else this.waiting.set(key, { op, req })
    return { op, joined: false }
  }

  private start (key: string, op: Operation<R>, req: BackupRequest): void {
    this.running = { key, op }
    this.emit('started', op, req)
    void op.run(async (o) => await this.runBackup(req, o)).then(() => {
      this.running = undefined
      this.emit('finished', op, req)
      const next = this.waiting.entries().next()
      if (next.done === true || this.closed) return
      const [nextKey, w] = next.value
      this.waiting.delete(nextKey)
      this.start(nextKey, w.op, w.req)
    })
  }

  get busy (): boolean { return this.running !== undefined }

  operations (): Array<Operation<R>> {
    return [...(this.running === undefined ? [] : [this.running.op]), ...[...this.waiting.values()].map(w => w.op)]
  }

  /** Stops the running backup at its next checkpoint and drops the waiting ones; resolves when it stopped. */
  async close (reason: Error): Promise<void> {
    this.closed = true
    for (const w of this.waiting.values()) w.op.fail(reason)
    this.waiting.clear()
    const r = this.running
    if (r === undefined) return
    r.op.controller.abort(reason)
    await r.op.result.catch(() => {})
  }
}
