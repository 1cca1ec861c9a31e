import { describe, expect, it } from 'vitest'
import { nsFromRfc3339, rfc3339FromMs, rfc3339FromNs } from '../../../daemon/time.js'

describe('RFC 3339 times', () => {
  it('keeps every nanosecond digit', () => {
    expect(rfc3339FromNs(1_733_400_000_123_456_789n)).toBe('2024-12-05T12:00:00.123456789Z')
    expect(rfc3339FromNs(0n)).toBe('1970-01-01T00:00:00.000000000Z')
  })
  it('handles times before 1970', () => {
    expect(rfc3339FromNs(-1n)).toBe('1969-12-31T23:59:59.999999999Z')
    expect(rfc3339FromNs(-1_000_000_000n)).toBe('1969-12-31T23:59:59.000000000Z')
    expect(rfc3339FromNs(-1_500_000_000n)).toBe('1969-12-31T23:59:58.500000000Z')
  })
  it('round-trips', () => {
    for (const ns of [0n, 1n, -1n, 1_733_400_000_123_456_789n, -86_400_000_000_001n]) {
      expect(nsFromRfc3339(rfc3339FromNs(ns))).toBe(ns)
    }
    expect(nsFromRfc3339(rfc3339FromMs(1_733_400_000_123))).toBe(1_733_400_000_123_000_000n)
    expect(() => nsFromRfc3339('yesterday')).toThrow(RangeError)
  })
})
