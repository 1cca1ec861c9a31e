// Temporary folders that are removed after the test unless P2PBAK_KEEP_TEST_STATE=1.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const keep = process.env.P2PBAK_KEEP_TEST_STATE === '1'

export interface TempDirs {
  make: (prefix?: string) => string
  cleanup: () => void
}

export function tempDirs (): TempDirs {
  const made: string[] = []
  return {
    make: (prefix = 'p2pbak-test-') => {
      const d = mkdtempSync(join(tmpdir(), prefix))
      made.push(d)
      return d
    },
    cleanup: () => {
      if (keep) return
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
    }
  }
}
