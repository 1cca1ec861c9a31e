// A small tmpfs mounted for one test, so that "disk full" is a real ENOSPC / SQLITE_FULL from the
// kernel, not a stub. Needs root (the test runner is root); `available` says whether mounting works.
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Tmpfs {
  dir: string
  /** Writes filler files until the file system is full, then frees `leave` bytes (whole pages); returns the bytes written. */
  fill: (leave?: number) => number
  unmount: () => void
}

export function mountTmpfs (sizeBytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'p2pbak-tmpfs-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir])
  let fillers = 0
  return {
    dir,
    fill: (leave = 0) => {
      const spare = join(dir, `spare-${fillers++}`)
      if (leave > 0) writeFileSync(spare, Buffer.alloc(leave))
      let written = 0
      // Big pieces first, then single pages, so that not even one page stays free.
      for (const piece of [64 * 1024, 4096, 512, 1]) {
        const fd = openSync(join(dir, `filler-${fillers++}`), 'w')
        try {
          const buf = Buffer.alloc(piece, 0x55)
          for (;;) written += writeSync(fd, buf)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
        } finally {
          closeSync(fd)
        }
      }
      if (leave > 0) unlinkSync(spare)
      return written
    },
    unmount: () => {
      try { execFileSync('umount', [dir]) } catch {}
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
