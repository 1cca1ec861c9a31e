// The shared benchmark dataset (bench/tools/make-dataset.sh), built once into .bench/data and
// reused by every benchmark; .bench/data.ok records its size once the build succeeded.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const BENCH = join(ROOT, '.bench')
export const DATA = join(BENCH, 'data')
const DATA_OK = join(BENCH, 'data.ok')
const SHARED = join(ROOT, 'bench', 'tools')

/** { files, bytes } of .bench/data, building it first when needed (20–30 s). */
export function ensureDataset () {
  if (existsSync(DATA_OK) && existsSync(DATA)) return JSON.parse(readFileSync(DATA_OK, 'utf8'))
  rmSync(DATA, { recursive: true, force: true })
  const r = spawnSync('bash', [join(SHARED, 'make-dataset.sh'), DATA], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`make-dataset.sh failed (exit ${r.status}): ${(r.stderr ?? '').slice(-2000)}`)
  const m = /files: (\d+)\s+bytes: (\d+)/.exec(r.stdout)
  const info = { files: m ? Number(m[1]) : null, bytes: m ? Number(m[2]) : null, builtAt: new Date().toISOString() }
  writeFileSync(DATA_OK, JSON.stringify(info))
  return info
}
