import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatDuration, formatSize, parseDuration, parseSize } from '../../../config/index.js'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250], ['30s', 30_000], ['5m', 300_000], ['12h', 43_200_000], ['3d', 259_200_000], ['2w', 1_209_600_000],
    ['1h30m', 5_400_000], ['1h 30m', 5_400_000], ['1.5h', 5_400_000], ['0.5s', 500], ['0', 0], ['0s', 0], [' 10s ', 10_000],
    [1500, 1500], [0, 0]
  ] as Array<[string | number, number]>)('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each([
    ['30', /no unit/], ['5x', /unknown unit "x"/], ['5M', /unknown unit "M"/], ['', /empty/], ['-5s', /cannot read/],
    ['0.0001s', /whole number of milliseconds/], ['s', /cannot read/], [1.5, /whole number/], [-1, /negative/],
    ['9999999999999999d', /too large/]
  ] as Array<[string | number, RegExp]>)('rejects %j', (input, detail) => {
    expect(() => parseDuration(input)).toThrow(detail)
    try { parseDuration(input) } catch (err) {
      expect((err as Error).name).toBe('InvalidArgumentError')
      expect((err as { hint?: string }).hint).toMatch(/"30s"/)
    }
  })
})

describe('formatDuration', () => {
  it('writes the shortest exact form', () => {
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(250)).toBe('250ms')
    expect(formatDuration(3_600_000)).toBe('1h')
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(7 * 86_400_000)).toBe('7d')
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms')
  })

  it('rejects values that are not durations', () => {
    expect(() => formatDuration(-1)).toThrow(/cannot format/)
    expect(() => formatDuration(1.5)).toThrow(/cannot format/)
  })

  it('round-trips through parseDuration', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (ms) => parseDuration(formatDuration(ms)) === ms))
  })
})

describe('parseSize', () => {
  it.each([
    ['512KiB', 512 * 1024], ['16MiB', 16 * 1024 ** 2], ['10GiB', 10 * 1024 ** 3], ['1TiB', 1024 ** 4],
    ['10GB', 10_000_000_000], ['1KB', 1000], ['1kb', 1000], ['1.5KiB', 1536], ['123B', 123], ['123', 123],
    ['16 MiB', 16 * 1024 ** 2], [4096, 4096], [0, 0], ['0', 0]
  ] as Array<[string | number, number]>)('%j → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes)
  })

  it.each([
    ['10K', /unknown unit "K"/], ['10 gigs', /unknown unit "gigs"/], ['1.1B', /whole number of bytes/], ['-1MiB', /cannot read/],
    ['', /cannot read/], [1.5, /whole number/], [-5, /negative/], ['10000PiB', /too large/], ['5MiB/s', /cannot read/]
  ] as Array<[string | number, RegExp]>)('rejects %j', (input, detail) => {
    expect(() => parseSize(input)).toThrow(detail)
    try { parseSize(input) } catch (err) {
      expect((err as Error).name).toBe('InvalidArgumentError')
      expect((err as { hint?: string }).hint).toMatch(/"16MiB"/)
    }
  })
})

describe('formatSize', () => {
  it('uses the largest unit that divides exactly', () => {
    expect(formatSize(0)).toBe('0B')
    expect(formatSize(16 * 1024 ** 2)).toBe('16MiB')
    expect(formatSize(10 * 1024 ** 3)).toBe('10GiB')
    expect(formatSize(10_000_000_000)).toBe('10GB')
    expect(formatSize(1536)).toBe('1536B')
    expect(formatSize(1500)).toBe('1500B')
    expect(formatSize(3000)).toBe('3KB')
  })

  it('rejects values that are not sizes', () => {
    expect(() => formatSize(-1)).toThrow(/cannot format/)
  })

  it('round-trips through parseSize', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (bytes) => parseSize(formatSize(bytes)) === bytes))
  })
})
