// `p2pbak away --until`: the dates people type.
import { describe, expect, it } from 'vitest'
import { parseUntil } from '../../../cli/commands/away.js'

describe('parseUntil', () => {
  const now = new Date(2026, 10, 27, 12, 0, 0).getTime()
  it('a bare date means the end of that day, local time', () => {
    expect(parseUntil('2026-12-24', now)).toBe(new Date(2026, 11, 24, 23, 59, 59).getTime())
  })
  it('a date and time, or an ISO time with a zone', () => {
    expect(parseUntil('2026-12-24T18:00', now)).toBe(new Date(2026, 11, 24, 18, 0, 0).getTime())
    expect(parseUntil('2026-12-24T18:00:00Z', now)).toBe(Date.UTC(2026, 11, 24, 18, 0, 0))
  })
  it('refuses what is not a date, and dates in the past, with a hint', () => {
    expect(() => parseUntil('next tuesday', now)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', hint: expect.stringMatching(/2026-12-24/) }))
    expect(() => parseUntil('2026-11-01', now)).toThrow(/in the past/)
  })
})
