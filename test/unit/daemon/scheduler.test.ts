// The backup schedule: interval after the last success plus jitter; an overdue backup soon after
// start-up; a failed one retried after a backoff from RETRY_MIN_MS doubling up to the interval.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RETRY_MIN_MS, STARTUP_DELAY_MAX_MS, Scheduler, retryDelay } from '../../../daemon/scheduler.js'
import type { SchedulerOptions } from '../../../daemon/scheduler.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const MIN = 60_000
const HOUR = 60 * MIN

let scheduler: Scheduler | undefined
beforeEach(() => { vi.useFakeTimers({ now: T0 }) })
afterEach(() => { scheduler?.stop(); scheduler = undefined; vi.useRealTimers() })

interface Harness { s: Scheduler, runs: number[], setLast: (t: number | undefined) => void }

/** A scheduler on the fake clock whose run records when it ran and, by default, succeeds at once. */
function make (o: Partial<SchedulerOptions> & { last?: number, random?: () => number, outcome?: () => Promise<void> }): Harness {
  let last = o.last
  const runs: number[] = []
  const s = new Scheduler({
    interval: o.interval ?? 4 * HOUR,
    jitter: o.jitter ?? 30 * MIN,
    lastSuccess: () => last,
    run: async () => {
      runs.push(Date.now())
      await (o.outcome ?? (async () => {}))()
      last = Date.now()
    },
    now: () => Date.now(),
    random: o.random ?? (() => 0.5)
  })
  scheduler = s
  return { s, runs, setLast: (t) => { last = t } }
}

describe('Scheduler', () => {
  it('a backup that never ran starts within min(jitter, STARTUP_DELAY_MAX_MS) of start-up', async () => {
    const { s, runs } = make({ jitter: 30 * MIN, random: () => 0.5 })
    expect(s.next()).toBeUndefined() // not started yet
    s.start()
    expect(s.next()).toBe(T0 + STARTUP_DELAY_MAX_MS / 2) // not 15 min: jitter is capped at start-up
    await vi.advanceTimersByTimeAsync(STARTUP_DELAY_MAX_MS / 2 - 1)
    expect(runs).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual([T0 + STARTUP_DELAY_MAX_MS / 2])
  })

  it('even the largest random draw keeps an overdue start-up backup within the cap', async () => {
    const { s, runs } = make({ last: T0 - 5 * HOUR, interval: 4 * HOUR, jitter: 2 * HOUR, random: () => 0.999999 })
    s.start()
    expect(s.next()! - T0).toBeLessThanOrEqual(STARTUP_DELAY_MAX_MS)
    await vi.advanceTimersByTimeAsync(STARTUP_DELAY_MAX_MS)
    expect(runs).toHaveLength(1)
  })

  it('a jitter smaller than the cap bounds the start-up delay', async () => {
    const { s, runs } = make({ last: undefined, jitter: 10_000, random: () => 0.25 })
    s.start()
    expect(s.next()).toBe(T0 + 2500)
    await vi.advanceTimersByTimeAsync(2500)
    expect(runs).toEqual([T0 + 2500])
  })

  it('a backup not yet due waits for last + interval + random * jitter', async () => {
    const last = T0 - HOUR
    const { s, runs } = make({ last, interval: 4 * HOUR, jitter: 30 * MIN, random: () => 0.5 })
    s.start()
    const due = last + 4 * HOUR + 15 * MIN
    expect(s.next()).toBe(due)
    await vi.advanceTimersByTimeAsync(due - T0 - 1)
    expect(runs).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual([due])
  })

  it('after a success the next one is interval + random * jitter after it finished', async () => {
    let draws = 0
    // First draw (start-up) 0, later ones 0.2.
    const random = (): number => draws++ === 0 ? 0 : 0.2
    const { s, runs } = make({
      interval: HOUR,
      jitter: 10 * MIN,
      random,
      outcome: async () => { await new Promise(resolve => setTimeout(resolve, 5000)) } // a backup takes 5 s
    })
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(runs).toEqual([T0])
    expect(s.next()).toBeUndefined() // running: nothing planned
    await vi.advanceTimersByTimeAsync(5000)
    const finished = T0 + 5000
    expect(s.next()).toBe(finished + HOUR + 2 * MIN)
    await vi.advanceTimersByTimeAsync(HOUR + 2 * MIN - 1)
    expect(runs).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual([T0, finished + HOUR + 2 * MIN])
  })

  it('a failed backup is retried after 1 min, then 2, 4, 8… capped at the interval; a success resets it', async () => {
    let fail = true
    const { s, runs } = make({
      interval: 10 * MIN,
      jitter: 10 * MIN,
      random: () => 0,
      outcome: async () => { if (fail) throw new Error('no peers') }
    })
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(runs).toEqual([T0])
    // Each retry measured from the latest failure: 1, 2, 4, 8 → capped at 10 min, 10 min.
    let at = T0
    for (const delay of [1, 2, 4, 8, 10, 10].map(m => m * MIN)) {
      expect(s.next()).toBe(at + delay)
      await vi.advanceTimersByTimeAsync(delay - 1)
      expect(runs.at(-1)).toBe(at) // not before its time
      await vi.advanceTimersByTimeAsync(1)
      at += delay
      expect(runs.at(-1)).toBe(at)
    }
    fail = false
    await vi.advanceTimersByTimeAsync(10 * MIN)
    at += 10 * MIN
    expect(runs.at(-1)).toBe(at)
    // Succeeded: back to the interval; a new failure starts again at 1 min.
    expect(s.next()).toBe(at + 10 * MIN)
    fail = true
    await vi.advanceTimersByTimeAsync(10 * MIN)
    at += 10 * MIN
    expect(runs.at(-1)).toBe(at)
    expect(s.next()).toBe(at + RETRY_MIN_MS)
  })

  it('retryDelay doubles from RETRY_MIN_MS and never exceeds the interval', () => {
    expect([1, 2, 3, 4].map(n => retryDelay(n, HOUR))).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN])
    expect(retryDelay(7, HOUR)).toBe(HOUR) // 64 min > 1 h
    expect(retryDelay(1000, HOUR)).toBe(HOUR)
    expect(retryDelay(1, 30_000)).toBe(30_000) // an interval shorter than a minute is the retry delay
  })

  it('the retry jitter is at most a quarter of the delay', async () => {
    const { s } = make({ interval: HOUR, jitter: HOUR, random: () => 0.999999, outcome: async () => { throw new Error('x') } })
    s.start()
    await vi.advanceTimersByTimeAsync(STARTUP_DELAY_MAX_MS) // the start-up run (jitter capped at start-up)
    const failedAt = Date.now()
    expect(s.next()! - failedAt).toBeGreaterThanOrEqual(MIN)
    expect(s.next()! - failedAt).toBeLessThanOrEqual(MIN * 1.25)
  })

  it('an interval shorter than RETRY_MIN_MS is the retry delay', async () => {
    const { s, runs } = make({ interval: 20_000, jitter: 0, random: () => 0, outcome: async () => { throw new Error('x') } })
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(runs).toEqual([T0])
    expect(s.next()).toBe(T0 + 20_000)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(runs).toEqual([T0, T0 + 20_000])
  })

  it('a run that resolves without recording a success is not repeated before the interval', async () => {
    let calls = 0
    const s = new Scheduler({
      interval: HOUR,
      jitter: 0,
      lastSuccess: () => undefined, // nothing to back up: no success is ever recorded
      run: async () => { if (++calls >= 50) s.stop() }, // the guard keeps the fake clock from looping
      now: () => Date.now(),
      random: () => 0
    })
    scheduler = s
    s.start()
    await vi.advanceTimersByTimeAsync(30 * MIN)
    expect(calls).toBe(1)
  })

  it('stop() cancels the pending run and next() reports nothing', async () => {
    const { s, runs } = make({ last: T0 - 10 * HOUR })
    s.start()
    expect(s.next()).toBeTypeOf('number')
    s.stop()
    expect(s.next()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(24 * HOUR)
    expect(runs).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stop() during a run plans nothing after it', async () => {
    const { s, runs } = make({ outcome: async () => { await new Promise(resolve => setTimeout(resolve, 1000)) }, random: () => 0 })
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(runs).toHaveLength(1)
    s.stop()
    await vi.advanceTimersByTimeAsync(1000)
    expect(s.next()).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(24 * HOUR)
    expect(runs).toHaveLength(1)
  })

  it('a due time beyond what setTimeout takes is reached in several waits, without running early', async () => {
    const interval = 40 * 24 * HOUR // more than 2^31-1 ms (24.8 days)
    const { s, runs } = make({ last: T0, interval, jitter: 0, random: () => 0 })
    s.start()
    expect(s.next()).toBe(T0 + interval)
    await vi.advanceTimersByTimeAsync(2 ** 31)
    expect(runs).toEqual([])
    expect(s.next()).toBe(T0 + interval)
    await vi.advanceTimersByTimeAsync(interval - 2 ** 31)
    expect(runs).toEqual([T0 + interval])
  })

  it('replan() after a backup of the configured set made by hand moves the next run to interval after it', async () => {
    const { s, runs, setLast } = make({ last: T0 - HOUR, interval: 4 * HOUR, jitter: 0 })
    s.start()
    expect(s.next()).toBe(T0 + 3 * HOUR)
    await vi.advanceTimersByTimeAsync(HOUR)
    setLast(Date.now()) // `p2pbak backup` of backup.paths finished now
    s.replan()
    expect(s.next()).toBe(T0 + HOUR + 4 * HOUR)
    await vi.advanceTimersByTimeAsync(3 * HOUR)
    expect(runs).toEqual([]) // the old due time passed without a run
    await vi.advanceTimersByTimeAsync(HOUR)
    expect(runs).toEqual([T0 + 5 * HOUR])
  })

  it('replan() after a manual success resets the backoff: the next scheduled failure retries after a minute', async () => {
    let fail = true
    const { s, runs, setLast } = make({ interval: 10 * HOUR, jitter: 0, random: () => 0, outcome: async () => { if (fail) throw new Error('no peers') } })
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    for (const m of [1, 2, 4]) await vi.advanceTimersByTimeAsync(m * MIN) // three more failures: the next retry waits 8 min
    expect(runs).toHaveLength(4)
    expect(s.next()).toBe(Date.now() + 8 * MIN)
    setLast(Date.now()) // a `p2pbak backup` by hand succeeded
    s.replan()
    expect(s.next()).toBe(Date.now() + 10 * HOUR)
    await vi.advanceTimersByTimeAsync(10 * HOUR) // the scheduled one fails again
    expect(runs).toHaveLength(5)
    expect(s.next()).toBe(Date.now() + RETRY_MIN_MS)
    fail = false
  })

  it('replan() while stopped plans nothing', () => {
    const { s } = make({ last: T0 - HOUR })
    s.replan()
    expect(s.next()).toBeUndefined()
  })
})
