// `p2pbak demo [paths…]`: the README's main command. A small office of daemons on 127.0.0.1, each
// a separate process of this binary, in a temporary folder: alice's daemon backs up a real folder
// (default: this project's sources) to her colleagues, `status` is shown, one colleague's machine
// goes away for good, the damage shows in `status`, and the files are restored from the survivors
// into a fresh folder and compared byte for byte. Then everything is cleaned up.
import type { Command } from 'commander'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { P2pbakError } from '../../daemon/errors.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { formatBytes } from '../format.js'
import { globals } from '../context.js'
import type { CliIo } from '../io.js'
import { renderStatus } from './status.js'

export class DemoFailedError extends P2pbakError {
  override name = 'CheckFailedError'
}


/** How long the demo office waits before a silent peer counts as gone (days in a real office). */
const DEMO_GONE_AFTER = '8s'
/** How often the demo's holders check their packs (10 minutes in an office). */
const DEMO_REPAIR = { goneAfter: DEMO_GONE_AFTER, checkInterval: '2s', auditInterval: '5s' }

export function registerDemoCommand (program: Command, io: CliIo): void {
  program.command('demo')
    .description('run a demo office of daemons on 127.0.0.1: back up, lose a peer, watch the others rebuild its copies, restore, verify (about a minute)')
    .argument('[paths...]', 'folders to back up (they are only read; default: this project\'s sources)')
    .option('--peers <n>', 'colleagues\' machines besides alice\'s (at least 3)', '4')
    .option('--keep', 'keep the temporary folder (daemons\' logs, configs, state) for inspection')
    .action(async (paths: string[], o: { peers: string, keep?: boolean }) => {
      const { Office, projectRoot, waitFor } = await import('../office.js') // libp2p: loaded only when needed
      const root = projectRoot()
      const sources = paths.length > 0
        ? paths.map(p => resolve(io.cwd, p))
        : ['cli', 'config', 'daemon', 'docs', 'protocol', 'test', 'bench'].map(d => join(root, d)).filter(existsSync)
      const colleagues = Math.max(3, Number.parseInt(o.peers, 10) || 4)
      const work = mkdtempSync(join(tmpdir(), 'p2pbak-demo-'))
      const t0 = Date.now()
      const json = globals(program).json === true
      const say = (s: string): void => { if (!json) io.stdout.write(s + '\n') }
      const step = (n: number, s: string): void => { say(`\n[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${n}. ${s}`) }
      const office = new Office({ root: work })
      try {
        say(`p2pbak demo office in ${work}`)
        step(1, `starting ${colleagues + 1} daemons on 127.0.0.1 (alice's laptop and ${colleagues} colleagues' machines), r = 3 copies of every pack`)
        const cfg = { repair: DEMO_REPAIR, backup: { paths: sources } }
        const alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'correct horse battery staple', config: cfg })
        await office.start(alice)
        const names = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan']
        const peers = []
        for (let i = 0; i < colleagues; i++) {
          const name = names[i] ?? `peer${i}`
          peers.push(await office.addMachine(name, { config: { repair: DEMO_REPAIR, storage: { domain: `desk-${i % 3}` } }, bootstrap: [alice] }))
        }
        await Promise.all(peers.map(async m => await office.start(m)))
        await waitFor(async () => ((await alice.client.status()).swarm.online >= colleagues ? true : undefined), 30_000, 'every peer to connect')
        say(`   all connected; alice is ${alice.peerId}`)

        step(2, `alice backs up ${sources.length} folder(s): ${sources.join(', ')}`)
        const b = await alice.client.backup({})
        const s = b.summary
        say(`   snapshot ${b.snapshot.slice(0, 8)}: ${s.totalFiles} files, ${formatBytes(s.totalBytes)} → ${formatBytes(s.bytesStored)} encrypted in ${s.packsAdded} packs, each on 3 colleagues' machines (${(s.durationMs / 1000).toFixed(1)} s)`)
        const again = await alice.client.backup({})
        say(`   backed up again: ${again.summary.filesUnmodified} files unchanged, ${formatBytes(again.summary.bytesAdded)} new data (${(again.summary.durationMs / 1000).toFixed(1)} s)`)

        step(3, 'p2pbak status on alice\'s laptop')
        const st = await waitFor(async () => { const x = await alice.client.status(); return x.owner?.restorable !== null ? x : undefined }, 30_000, 'status to be computed')
        say(indent(renderStatus(st)))

        // The colleague who holds the most of alice's packs, so the loss shows.
        const held = new Map((await alice.client.peers()).map(r => [r.peerId, r.heldForUs]))
        const victim = [...peers].sort((x, y) => (held.get(y.peerId) ?? 0) - (held.get(x.peerId) ?? 0))[0]!
        step(4, `${victim.name}'s machine is switched off for good (SIGKILL); after ${DEMO_GONE_AFTER} without it, its copies count as gone`)
        await office.stop(victim, 'SIGKILL')
        // Alice's view before the survivors act: the packs that lost a copy.
        const after = await waitFor(async () => {
          const x = await alice.client.status()
          return x.swarm.gone >= 1 ? x : undefined
        }, 60_000, `${victim.name} to count as gone`)
        const p = after.owner!.packs
        say(`   ${victim.name} is gone: ${p.degraded + p.atRisk} of ${p.total} packs are short of a copy; every file is still restorable from the survivors.`)

        step(5, 'the surviving colleagues rebuild the missing copies by themselves (alice does nothing)')
        const healed = await waitFor(async () => {
          const x = await alice.client.status()
          return x.swarm.gone >= 1 && x.owner!.packs.healthy === x.owner!.packs.total ? x : undefined
        }, 90_000, 'the missing copies to be rebuilt', 500)
        let copies = 0
        let repairBytes = 0
        for (const m of peers) {
          if (m.proc === undefined) continue
          const x = await m.client.status()
          copies += x.repair.copiesMade
          repairBytes += x.repair.bytesSent
        }
        say(indent(renderStatus(healed)))
        say(`   → ${copies} copies made by the holders (${formatBytes(repairBytes)}), every pack has 3 copies again.`)

        step(6, 'alice restores the latest snapshot from her colleagues into a fresh folder')
        const target = join(work, 'restored')
        const r = await alice.client.restore({ snapshot: 'latest', target })
        say(`   restored ${r.files} files, ${r.dirs} folders, ${formatBytes(r.bytes)}`)
        const diffs = sources.flatMap(src => compareTrees(src, join(target, src)))
        if (diffs.length > 0) throw new DemoFailedError(`the restore differs from the source: ${diffs.slice(0, 5).map(d => `${d.path} (${d.what})`).join(', ')}`)
        say('   compared byte for byte with the originals (content, modes, times, links, xattrs): identical')

        step(7, 'alice verifies every pack from the peers (check --read-data)')
        const c = await alice.client.check({ readData: true })
        if (!c.ok) throw new DemoFailedError(`check found problems: ${c.problems.map(x => x.message).join('; ')}`)
        say(`   ${c.packs} packs, ${c.blobs} blobs, ${formatBytes(c.bytesRead)} fetched and verified: no problems`)

        await office.stopAll()
        say(`\ndemo finished in ${((Date.now() - t0) / 1000).toFixed(0)} s: backed up, lost a machine, rebuilt its copies, restored, verified. All good.`)
        if (json) {
          io.stdout.write(JSON.stringify({
            ok: true, folder: work, kept: o.keep === true, daemons: colleagues + 1, snapshot: b.snapshot, files: s.totalFiles, bytes: s.totalBytes,
            packs: p.total, packsDegradedAfterLoss: p.degraded + p.atRisk, packsHealthyAfterRepair: healed.owner!.packs.healthy,
            repairCopies: copies, repairBytes, restoredFiles: r.files, verifiedBytes: c.bytesRead, seconds: (Date.now() - t0) / 1000
          }) + '\n')
        }
      } finally {
        await office.stopAll().catch(() => {})
        if (o.keep === true) say(`kept ${work} (each machine's daemon.log, config.toml and state/)`)
        else rmSync(work, { recursive: true, force: true })
      }
    })
}

function indent (text: string): string {
  return text.split('\n').map(l => (l === '' ? l : '   ' + l)).join('\n')
}
