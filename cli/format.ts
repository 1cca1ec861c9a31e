// Human output helpers.

export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}

export function formatSnapshotTime (ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
}

const started = Date.now()

export function progressLine (files: number, bytes: number, packs?: number): string {
  const secs = Math.max((Date.now() - started) / 1000, 0.001)
  return `${files} files  ${formatBytes(bytes)}${packs !== undefined ? `  ${packs} packs` : ''}  ${formatBytes(bytes / secs)}/s   `
}
