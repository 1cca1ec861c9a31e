// A token bucket for the replication bandwidth limit (network.bandwidth_limit): `take(n)` resolves
// when n bytes may be sent. One bucket is shared by every outgoing pack transfer, so the limit is
// for the whole daemon, whatever the number of transfers in flight.

export class TokenBucket {
  private tokens: number
  private last: number
  private queue: Promise<void> = Promise.resolve()

  /** `rate` bytes per second; bursts up to `burst` bytes (default one second's worth). */
  constructor (private readonly rate: number, private readonly burst = rate, private readonly now: () => number = Date.now) {
    this.tokens = burst
    this.last = now()
  }

  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    // Callers wait in order, so one large frame cannot be starved by many small ones.
    const turn = this.queue.then(async () => await this.wait(bytes, signal))
    this.queue = turn.catch(() => {})
    await turn
  }

  private async wait (bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const t = this.now()
      this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.rate / 1000)
      this.last = t
      // A frame larger than the burst goes once the bucket is full, leaving it in debt.
      if (this.tokens >= Math.min(bytes, this.burst)) { this.tokens -= bytes; return }
      const ms = Math.ceil((Math.min(bytes, this.burst) - this.tokens) * 1000 / this.rate)
      await sleep(Math.max(1, ms), signal)
    }
  }
}

/** setTimeout that an abort ends at once (with the signal's reason). */
async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
