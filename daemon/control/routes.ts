// Every route of the control API in one table (docs/control-api.md). Each validates its body and
// calls one daemon service; the daemon (daemon.ts) provides the services.
import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { InvalidArgumentError } from '../errors.js'
import { listFiles } from '../list-files.js'
import { rfc3339FromNs } from '../time.js'
import type { Owner } from '../owner.js'
import type { Operation, Progress } from '../operations.js'
import type { SnapshotInfo } from '../repository/repository.js'
import { filterSnapshots, originName, resolveLatest, snapshotSetId } from '../snapshot-filter.js'
import type { SnapshotFilter, SnapshotSelection } from '../snapshot-filter.js'
import { ROUTES } from './api.js'
import type {
  AwayAnswer, AwayBody, BackupAnswer, BackupRequestBody, CheckAnswer, HistoryEntry, LeaveAnswer, LeaveBody, CheckRequestBody, KeyPasswdBody, KeyRecoveryBody, PeerRow,
  RestoreAnswer, RestoreRequestBody, SnapshotRow, Status, PeersForgetAnswer, PeersForgetBody
} from './api.js'
import type { RouteContext, RouteHandler, StreamContext } from './server.js'

export interface DaemonServices {
  status: () => Status
  peers: () => PeerRow[]
  snapshots: () => Promise<SnapshotInfo[]>
  /** The configured backup.paths: `latest` without filters is the newest snapshot of that set (default none). */
  configuredPaths?: () => readonly string[]
  owner: () => Owner
  backup: (body: BackupRequestBody) => { op: Operation<BackupAnswer>, joined: boolean }
  restore: (body: RestoreRequestBody, progress: (p: Progress) => void, signal: AbortSignal) => Promise<RestoreAnswer>
  check: (body: CheckRequestBody, progress: (p: Progress) => void, signal: AbortSignal) => Promise<CheckAnswer>
  keyPasswd: (body: KeyPasswdBody) => Promise<{ changed: true, storedInSwarm: boolean }>
  keyRecovery: (body: KeyRecoveryBody) => Promise<{ recoveryKey: string }>
  /** WrongPassphraseError unless the passphrase opens the owner's key file. */
  keyVerify: (body: KeyRecoveryBody) => Promise<{ ok: true }>
  ownerReload: () => Promise<{ owner: string | null }>
  away: (body: AwayBody) => Promise<AwayAnswer>
  leave: (body: LeaveBody, progress: (p: Progress) => void, signal: AbortSignal) => Promise<LeaveAnswer>
  peersForget: (body: PeersForgetBody) => Promise<PeersForgetAnswer>
  history: () => HistoryEntry[]
}

const absolute = z.string().min(1).refine(isAbsolute, 'must be an absolute path')
const tag = z.string().min(1).max(128)
const filter = z.object({
  paths: z.array(absolute).optional(),
  tags: z.array(z.array(tag)).optional(),
  hosts: z.array(z.string().min(1)).optional()
}).optional()
const schemas = {
  // A comma separates tags on the command line (`--tag a,b`), as in restic, so a tag holds none.
  backup: z.object({ paths: z.array(absolute).optional(), tags: z.array(tag.refine(t => !t.includes(','), 'a tag cannot contain a comma')).optional() }),
  restore: z.object({
    snapshot: z.string().min(1), target: absolute, include: z.array(z.string().min(1)).optional(), filter,
    overwrite: z.enum(['always', 'if-changed', 'if-newer', 'never']).optional(), dryRun: z.boolean().optional()
  }),
  check: z.object({ readData: z.boolean().optional() }),
  ls: z.object({ snapshot: z.string().min(1), path: z.string().optional(), filter }),
  snapshots: z.object({ filter }),
  keyPasswd: z.object({ oldPassphrase: z.string(), newPassphrase: z.string() }), // an empty new one: WeakPassphraseError, not a schema message
  keyRecovery: z.object({ passphrase: z.string() }),
  away: z.object({ until: z.number().int().nullable() }),
  leave: z.object({ cancel: z.boolean().optional() }),
  peersForget: z.object({ peer: z.string().min(1).max(256), force: z.boolean().optional() })
}

function parse<T> (schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const where = issue?.path.join('.') ?? ''
  throw new InvalidArgumentError(`bad request${where === '' ? '' : ` (${where})`}: ${issue?.message ?? 'invalid'}`, { hint: 'see docs/control-api.md for the request format' })
}

export function snapshotRow (s: SnapshotInfo, latestId?: string): SnapshotRow {
  return {
    id: s.id,
    time: rfc3339FromNs(s.snapshot.timeNs),
    hostname: s.snapshot.hostname,
    owner: s.snapshot.owner,
    paths: s.snapshot.paths.map(p => Buffer.from(p).toString()),
    tags: s.snapshot.tags,
    files: s.snapshot.summary?.totalFiles ?? 0,
    bytes: s.snapshot.summary?.totalBytes ?? 0,
    set: snapshotSetId(s.snapshot),
    origin: originName(s.snapshot.origin),
    latest: s.id === latestId
  }
}

type RouteSpec = { method: 'GET' | 'POST', path: string }
const plain = (r: RouteSpec, handle: (ctx: RouteContext) => Promise<unknown>): RouteHandler => ({ method: r.method, path: r.path, handle })
const streamed = (r: RouteSpec, handle: (ctx: StreamContext) => Promise<unknown>): RouteHandler => ({ method: r.method, path: r.path, stream: true, handle })

export function buildRoutes (d: DaemonServices): RouteHandler[] {
  const selection = (f: SnapshotFilter | undefined): SnapshotSelection => ({ ...(f === undefined ? {} : { filter: f }), configuredPaths: d.configuredPaths?.() ?? [] })
  const listSnapshots = async (f: SnapshotFilter | undefined): Promise<SnapshotRow[]> => {
    const all = await d.snapshots()
    const latest = resolveLatest(all, selection(f))
    return filterSnapshots(all, f).map(s => snapshotRow(s, latest?.id))
  }
  return [
    plain(ROUTES.status, async () => d.status()),
    plain(ROUTES.peers, async () => d.peers()),
    plain(ROUTES.snapshots, async () => await listSnapshots(undefined)),
    plain(ROUTES.snapshotsFiltered, async ({ body }) => await listSnapshots(parse(schemas.snapshots, body).filter)),
    plain(ROUTES.ls, async ({ body }) => {
      const b = parse(schemas.ls, body)
      const owner = d.owner()
      return await listFiles(owner.repo, await owner.repo.findSnapshot(b.snapshot, selection(b.filter)), b.path)
    }),
    streamed(ROUTES.backup, async ({ body, progress, queued }) => {
      const b = parse(schemas.backup, body)
      const { op, joined } = d.backup(b)
      queued(op.id, joined)
      // A client that goes away does not stop a backup: it is the daemon's job, not the terminal's.
      op.on('progress', progress)
      // Where it stands now: its first report (scanning) came before this client listened, and a
      // client that joins a running backup sees its state at once.
      if (op.progress !== undefined) progress(op.progress)
      try {
        return { ...await op.result, joined }
      } finally {
        op.off('progress', progress)
      }
    }),
    streamed(ROUTES.restore, async ({ body, progress, signal }) => await d.restore(parse(schemas.restore, body), progress, signal)),
    streamed(ROUTES.check, async ({ body, progress, signal }) => await d.check(parse(schemas.check, body), progress, signal)),
    plain(ROUTES.keyPasswd, async ({ body }) => await d.keyPasswd(parse(schemas.keyPasswd, body))),
    plain(ROUTES.keyRecovery, async ({ body }) => await d.keyRecovery(parse(schemas.keyRecovery, body))),
    plain(ROUTES.keyVerify, async ({ body }) => await d.keyVerify(parse(schemas.keyRecovery, body))),
    plain(ROUTES.ownerReload, async () => await d.ownerReload()),
    plain(ROUTES.away, async ({ body }) => await d.away(parse(schemas.away, body))),
    streamed(ROUTES.leave, async ({ body, progress, signal }) => await d.leave(parse(schemas.leave, body), progress, signal)),
    plain(ROUTES.peersForget, async ({ body }) => await d.peersForget(parse(schemas.peersForget, body))),
    plain(ROUTES.history, async () => d.history())
  ]
}
