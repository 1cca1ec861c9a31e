// One time format in every JSON answer (docs/control-api.md §"Times"): RFC 3339 in UTC, with as
// many fraction digits as the source has. Snapshot and file times are nanoseconds since the epoch
// (9 digits); wall-clock events are milliseconds (3 digits).

/** RFC 3339 UTC with nanoseconds, e.g. `2026-12-05T10:11:12.123456789Z`. */
export function rfc3339FromNs (ns: bigint): string {
  let seconds = ns / 1_000_000_000n
  if (ns < 0n && seconds * 1_000_000_000n !== ns) seconds -= 1n // floor, not truncation
  const frac = ns - seconds * 1_000_000_000n
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  return `${base}.${frac.toString().padStart(9, '0')}Z`
}

/** RFC 3339 UTC with milliseconds, e.g. `2026-12-05T10:11:12.123Z` (a `Date.now()` value). */
export function rfc3339FromMs (ms: number): string {
  return new Date(ms).toISOString()
}

/** Parses an RFC 3339 time back to nanoseconds since the epoch (any number of fraction digits). */
export function nsFromRfc3339 (text: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text)
  if (m === null) throw new RangeError(`not an RFC 3339 time: ${text}`)
  const secondsMs = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(secondsMs)) throw new RangeError(`not an RFC 3339 time: ${text}`)
  return BigInt(secondsMs) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}
