// `p2pbak demo [paths…]`: the README's main command. Until the daemon exists, it shows the
// engine's whole round trip on a real folder in a temporary place: create an owner, back up,
// back up again unchanged (nothing re-read), restore into a fresh folder, compare byte for byte,
// verify every pack, restore again from the recovery key alone on a fresh state folder, clean up.
import type { Command } from 'commander'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { P2pbakError } from '../../daemon/errors.js'
import { initOwner, openOwner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { openDirBackend } from '../../daemon/store/index.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { formatBytes } from '../format.js'
import type { CliIo } from '../io.js'

export class DemoFailedError extends P2pbakError {
  override name = 'CheckFailedError'
}

function projectRoot (): string {
  // dist/cli/commands/demo.js or cli/commands/demo.ts
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dir !== '/') dir = dirname(dir)
  return dir
}

export function registerDemoCommand (program: Command, io: CliIo): void {
  program.command('demo')
    .description('show a backup → restore → verify round trip on a folder (default: this project\'s sources), in a temporary place')
    .argument('[paths...]', 'folders to use (they are only read)')
    .option('--keep', 'keep the temporary folder for inspection')
    .action(async (paths: string[], o: { keep?: boolean }) => {
      const root = projectRoot()
      const sources = paths.length > 0
        ? paths.map(p => resolve(io.cwd, p))
        : ['cli', 'config', 'daemon', 'docs', 'protocol', 'test'].map(d => join(root, d)).filter(existsSync)
      const work = mkdtempSync(join(tmpdir(), 'p2pbak-demo-'))
      const say = (s: string): void => { io.stdout.write(s + '\n') }
      const passphrase = 'demo passphrase'
      try {
        say(`p2pbak demo in ${work}`)
        say(`sources: ${sources.join(', ')}`)
        const repoDir = join(work, 'repo')
        const backend = openDirBackend(repoDir, { create: true })
        const init = await initOwner({ stateDir: join(work, 'state'), backend, ownerName: 'demo', passphrase })
        say(`1. created owner "demo" (${init.ownerId}); recovery key: ${init.recoveryKey.split(' ').slice(0, 3).join(' ')} …`)
        let owner = await openOwner({ stateDir: join(work, 'state'), backend, passphrase })
        const t0 = Date.now()
        const first = await backup(owner.repo, owner.keys.chunkerKey, { paths: sources, owner: 'demo' })
        const s = first.summary
        say(`2. backup ${first.snapshotId.slice(0, 8)}: ${s.totalFiles} files, ${formatBytes(s.totalBytes)} → ${formatBytes(s.bytesStored)} stored in ${s.packsAdded} packs (${Date.now() - t0} ms)`)
        const t1 = Date.now()
        const second = await backup(owner.repo, owner.keys.chunkerKey, { paths: sources, owner: 'demo' })
        say(`3. unchanged backup ${second.snapshotId.slice(0, 8)}: ${second.summary.filesUnmodified} files unmodified, ${formatBytes(second.summary.bytesRead)} read, ${formatBytes(second.summary.bytesAdded)} added (${Date.now() - t1} ms)`)
        const target = join(work, 'restore')
        const t2 = Date.now()
        const snap = await owner.repo.findSnapshot('latest')
        const r = await restore(owner.repo, snap, target)
        say(`4. restored ${r.files} files, ${formatBytes(r.bytes)} into ${target} (${Date.now() - t2} ms)`)
        const diffs = sources.flatMap(src => compareTrees(src, join(target, src)))
        if (diffs.length > 0) throw new DemoFailedError(`restore differs from the source: ${diffs.slice(0, 5).map(d => `${d.path} (${d.what})`).join(', ')}`)
        say('5. compared byte for byte with the sources (content, modes, times, links, xattrs): identical')
        const report = await check(owner.repo, { readData: true })
        if (!report.ok) throw new DemoFailedError(`check found problems: ${report.problems.map(p => p.message).join('; ')}`)
        say(`6. check --read-data: ${report.packs} packs, ${report.blobs} blobs, ${formatBytes(report.bytesRead)} verified, no problems`)
        await owner.close()
        // A lost laptop, in miniature: only the repository and the recovery key.
        owner = await openOwner({ stateDir: join(work, 'fresh-state'), backend, recoveryKey: init.recoveryKey })
        const target2 = join(work, 'restore-from-recovery-key')
        await restore(owner.repo, await owner.repo.findSnapshot('latest'), target2)
        const diffs2 = sources.flatMap(src => compareTrees(src, join(target2, src)))
        if (diffs2.length > 0) throw new DemoFailedError('restore with the recovery key differs from the source')
        say('7. fresh state folder + recovery key only: restored and identical')
        await owner.close()
        await backend.close()
        say('demo finished: all good')
      } finally {
        if (o.keep === true) say(`kept ${work}`)
        else rmSync(work, { recursive: true, force: true })
      }
    })
}
