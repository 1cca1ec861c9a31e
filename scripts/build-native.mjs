// Builds our N-API addon (daemon/fs/native: exact-nanosecond utimensat and flock) with node-gyp,
// unless its .node file is already newer than its sources. Run by the `install` lifecycle script
// (so `npm ci` builds it) and before `tsc` in `npm run build` (so a checkout whose node_modules
// came from elsewhere gets it too). npm puts its bundled node-gyp on PATH for scripts.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'daemon', 'fs', 'native')
const out = join(dir, 'build', 'Release', 'p2pbak_native.node')
const sources = ['p2pbak_native.c', 'binding.gyp'].map(f => join(dir, f))
const fresh = existsSync(out) && sources.every(s => statSync(s).mtimeMs <= statSync(out).mtimeMs)
if (!fresh || process.argv.includes('--force')) {
  const r = spawnSync('node-gyp', ['rebuild', '--directory', dir], { stdio: 'inherit' })
  if (r.error !== undefined) {
    console.error(`could not run node-gyp (${r.error.message}); run this through npm: npm run build:native`)
    process.exit(1)
  }
  process.exit(r.status ?? 1)
}
