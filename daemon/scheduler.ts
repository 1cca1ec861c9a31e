// When the next scheduled backup runs: `interval` after the last one that succeeded, plus a random
// jitter so that an office of machines switched on at 9:00 does not back up in lockstep. A backup
// that is overdue at start (or never ran) starts soon after start-up; a failed one is retried
// sooner than a whole interval: after RETRY_MIN_MS, doubling with each failure in a row, at most the
// interval (a laptop that woke before its colleagues backs up soon after they are back). The backup itself goes through the BackupQueue, so a scheduled run
// joins a backup the user started by hand rather than running twice.

/** The first retry of a failed scheduled backup; each further failure in a row doubles it, up to the interval. */
export const RETRY_MIN_MS = 60_000

/** How long after the n-th failure in a row (n ≥ 1) a scheduled backup is retried. */
export function retryDelay (failures: number, interval: number): number {
  return Math.min(interval, RETRY_MIN_MS * 2 ** Math.min(Math.max(failures - 1, 0), 30))
}
/** An overdue backup starts within this long of start-up (plus nothing more: jitter is for steady state). */
export const STARTUP_DELAY_MAX_MS = 60_000

export interface SchedulerOptions {
  interval: number
  jitter: number
  /** When the last successful backup finished (ms since the epoch), undefined when none. */
  lastSuccess: () => number | undefined
  /** Starts a backup and resolves when it finished; rejects when it failed. */
  run: () => Promise<void>
  now?: () => number
  random?: () => number
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined
  private nextAt: number | undefined
  private stopped = true
  private failedAt: number | undefined
  /** Failures in a row since the last success. */
  private failures = 0
  /** When run() last resolved: a run that had nothing to do counts, so it is not repeated at once. */
  private ranAt: number | undefined
  private readonly now: () => number
  private readonly random: () => number

  constructor (private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
  }

  start (): void {
    this.stopped = false
    this.plan(true)
  }

  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.nextAt = undefined
  }

  /**
   * Plans again from lastSuccess(): after a backup of the configured set made by hand, the next
   * one is due `interval` after it. Does nothing while stopped or while a scheduled run is going.
   */
  replan (): void {
    if (this.stopped || this.timer === undefined) return
    this.failedAt = undefined // that backup succeeded: no retry of the failed one is needed
    this.failures = 0 // and the next failure retries after a minute again, not after the last backoff
    this.plan(false)
  }

  /** When the next scheduled backup is due (ms since the epoch), undefined when stopped. */
  next (): number | undefined {
    return this.nextAt
  }

  /** Computes the next due time and sets the timer. */
  private plan (startup: boolean): void {
    if (this.stopped) return
    const now = this.now()
    const { interval, jitter } = this.options
    const recorded = this.options.lastSuccess()
    const last = recorded === undefined ? this.ranAt : Math.max(recorded, this.ranAt ?? 0)
    let at: number
    if (this.failedAt !== undefined) {
      // A little jitter (at most a quarter of the delay) keeps an office that failed together apart.
      const delay = retryDelay(this.failures, interval)
      at = this.failedAt + delay + this.random() * Math.min(jitter, delay / 4)
    } else if (last === undefined || last + interval <= now) {
      at = now + this.random() * (startup ? Math.min(jitter, STARTUP_DELAY_MAX_MS) : Math.min(jitter, interval))
    } else {
      at = last + interval + this.random() * jitter
    }
    this.nextAt = Math.round(at)
    if (this.timer !== undefined) clearTimeout(this.timer)
    // setTimeout takes at most 2^31-1 ms; a longer wait re-plans when it fires.
    const wait = Math.min(Math.max(0, this.nextAt - now), 2 ** 31 - 1)
    this.timer = setTimeout(() => { void this.fire() }, wait)
  }

  private async fire (): Promise<void> {
    this.timer = undefined
    if (this.stopped) return
    if (this.nextAt !== undefined && this.now() < this.nextAt) { this.plan(false); return }
    this.nextAt = undefined
    try {
      await this.options.run()
      this.failedAt = undefined
      this.failures = 0
      this.ranAt = this.now()
    } catch {
      this.failedAt = this.now()
      this.failures++
    }
    this.plan(false)
  }
}
