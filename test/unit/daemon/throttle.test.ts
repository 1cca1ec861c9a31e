// The replication bandwidth limit: a token bucket shared by every transfer.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenBucket } from '../../../daemon/throttle.js'

const T0 = Date.UTC(2026, 0, 1)
beforeEach(() => { vi.useFakeTimers({ now: T0 }) })
afterEach(() => { vi.useRealTimers() })

/** Starts take(bytes) and records the fake time when it resolved (or the error it rejected with). */
function timed (bucket: TokenBucket, bytes: number, signal?: AbortSignal): { at: () => number | undefined, error: () => unknown, done: Promise<void> } {
  let at: number | undefined
  let error: unknown
  const done = bucket.take(bytes, signal).then(() => { at = Date.now() - T0 }, (e) => { error = e })
  return { at: () => at, error: () => error, done }
}

describe('TokenBucket', () => {
  it('lets a burst up to `burst` pass at once', async () => {
    const b = new TokenBucket(1000, 4000, () => Date.now())
    const takes = [1000, 1000, 2000].map(n => timed(b, n))
    await vi.advanceTimersByTimeAsync(0)
    expect(takes.map(t => t.at())).toEqual([0, 0, 0])
  })

  it('beyond the burst, each byte waits 1/rate seconds', async () => {
    const b = new TokenBucket(1000, 1000, () => Date.now()) // 1000 B/s, burst one second
    const first = timed(b, 1000)
    const second = timed(b, 500)
    const third = timed(b, 1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(first.at()).toBe(0)
    expect(second.at()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(499)
    expect(second.at()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(second.at()).toBe(500)
    await vi.advanceTimersByTimeAsync(999)
    expect(third.at()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(third.at()).toBe(1500)
    // 2500 bytes in 1.5 s: the burst plus 1.5 s at the rate.
  })

  it('serves callers in order: a large frame is not starved by small ones behind it', async () => {
    const b = new TokenBucket(100, 100, () => Date.now())
    const order: string[] = []
    const take = (name: string, n: number): Promise<void> => b.take(n).then(() => { order.push(name) })
    await b.take(100) // empty the bucket
    const all = [take('big', 100), take('small-1', 1), take('small-2', 1)]
    await vi.advanceTimersByTimeAsync(10)
    expect(order).toEqual([]) // 'small-1' could go now on its own, but waits its turn
    await vi.advanceTimersByTimeAsync(2000)
    await Promise.all(all)
    expect(order).toEqual(['big', 'small-1', 'small-2'])
  })

  it('a frame larger than the burst goes once the bucket is full, leaving it in debt', async () => {
    const b = new TokenBucket(1000, 1000, () => Date.now())
    const big = timed(b, 3000)
    await vi.advanceTimersByTimeAsync(0)
    expect(big.at()).toBe(0) // full bucket: it goes, tokens at -2000
    const next = timed(b, 1000)
    await vi.advanceTimersByTimeAsync(2999)
    expect(next.at()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(next.at()).toBe(3000) // paid off the debt, then a full frame
  })

  it('tokens refill up to the burst only', async () => {
    const b = new TokenBucket(1000, 1000, () => Date.now())
    await b.take(1000)
    await vi.advanceTimersByTimeAsync(60_000) // idle a minute: still only one burst saved
    const a = timed(b, 1000)
    const c = timed(b, 1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(a.at()).toBe(60_000)
    expect(c.at()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1000)
    expect(c.at()).toBe(61_000)
  })

  it('an already aborted signal rejects without taking tokens', async () => {
    const b = new TokenBucket(1000, 1000, () => Date.now())
    const reason = new Error('transfer cancelled')
    await expect(b.take(1000, AbortSignal.abort(reason))).rejects.toBe(reason)
    const after = timed(b, 1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(after.at()).toBe(0) // the bucket is still full
  })

  it('a caller aborted while waiting rejects and takes no tokens', async () => {
    const b = new TokenBucket(1000, 1000, () => Date.now())
    await b.take(1000)
    const ac = new AbortController()
    const aborted = timed(b, 1000, ac.signal)
    await vi.advanceTimersByTimeAsync(200)
    ac.abort(new Error('peer went away'))
    await vi.advanceTimersByTimeAsync(800)
    await aborted.done
    expect((aborted.error() as Error).message).toBe('peer went away')
    expect(aborted.at()).toBeUndefined()
    // The aborted caller took nothing: the bucket refilled to 1000 by t=1000, so this goes at once.
    const after = timed(b, 1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(after.at()).toBe(1000)
  })

  it('a caller aborted while it waits rejects at once, not when its wait would have ended', async () => {
    const b = new TokenBucket(10 * 1024, 1024 * 1024, () => Date.now()) // 10 KiB/s, 1 MiB burst
    await b.take(1024 * 1024) // the bucket is empty
    const ac = new AbortController()
    const frame = timed(b, 1024 * 1024, ac.signal) // would wait 102.4 s
    await vi.advanceTimersByTimeAsync(1000)
    ac.abort(new Error('shutting down'))
    await vi.advanceTimersByTimeAsync(10)
    expect((frame.error() as Error | undefined)?.message).toBe('shutting down')
  })
})
