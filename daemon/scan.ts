// The scanner that runs beside a backup (as restic's does): it only counts files and bytes under
// the backup paths, with the same excludes, so the progress bar can show a total and an ETA. It
// uses async fs calls, so it interleaves with the archiver instead of competing for the thread.
import { lstat, opendir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CACHEDIR_TAG_SIGNATURE, compileExcludes } from './archiver.js'

export interface ScanOptions {
  exclude?: string[]
  excludeCaches?: boolean
  oneFileSystem?: boolean
  signal?: AbortSignal
}

export interface ScanTotals { files: number, bytes: number }

export async function scanTotals (paths: string[], options: ScanOptions = {}): Promise<ScanTotals> {
  const totals: ScanTotals = { files: 0, bytes: 0 }
  const excluded = compileExcludes(options.exclude ?? [])
  const walk = async (path: string, dev: number | undefined): Promise<void> => {
    options.signal?.throwIfAborted()
    if (excluded?.(path) === true) return
    let st
    try { st = await lstat(path) } catch { return }
    if (st.isFile()) { totals.files++; totals.bytes += st.size; return }
    if (!st.isDirectory()) return
    if (options.oneFileSystem === true && dev !== undefined && st.dev !== dev) return
    let names: string[] = []
    try {
      const dir = await opendir(path)
      for await (const e of dir) names.push(e.name)
    } catch { return }
    if (options.excludeCaches === true && names.includes('CACHEDIR.TAG')) {
      const tag = await readFile(join(path, 'CACHEDIR.TAG'), 'latin1').catch(() => '')
      if (tag.startsWith(CACHEDIR_TAG_SIGNATURE)) names = ['CACHEDIR.TAG']
    }
    for (const n of names) await walk(join(path, n), dev ?? st.dev)
  }
  for (const p of paths) {
    const st = await lstat(p).catch(() => undefined)
    await walk(p, st?.dev)
  }
  return totals
}
