// protons emits `Uint8Array<ArrayBuffer>` for bytes fields; Node's Buffers are
// `Uint8Array<ArrayBufferLike>`, so every assignment of a Buffer would need a copy or a cast.
// The decoder never relies on the narrower type, so widen it in the generated files.
import { readFileSync, writeFileSync } from 'node:fs'
for (const file of process.argv.slice(2)) {
  const src = readFileSync(file, 'utf8')
  writeFileSync(file, src.replaceAll('Uint8Array<ArrayBuffer>', 'Uint8Array'))
}
