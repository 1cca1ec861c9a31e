// The one typed client of the daemon's control API (STYLE.md §5). Every command but `daemon`,
// `init`, `swarm init` and `local …` goes through it. Errors come back as the daemon's named error
// (same name, message and hint), so the exit code table applies unchanged.
import { request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { P2pbakError } from '../daemon/errors.js'
import { ROUTES } from '../daemon/control/api.js'
import type {
  ApiError, AwayAnswer, BackupAnswer, BackupRequestBody, CheckAnswer, CheckRequestBody, HistoryEntry, LeaveAnswer, LeaveBody, LsEntry, PeerRow, Progress, RestoreAnswer, RestoreRequestBody, SnapshotFilterBody, SnapshotRow, Status, StreamLine
} from '../daemon/control/api.js'
import type { PeersForgetAnswer, PeersForgetBody } from '../daemon/control/api.js'

/** No daemon answers on the control socket. */
export class DaemonNotRunningError extends P2pbakError {
  override name = 'DaemonNotRunningError'
}

/** An error the daemon reported; `name` is the daemon's error code. */
export class RemoteError extends P2pbakError {
  constructor (e: ApiError) {
    super(e.message, e.hint === undefined ? {} : { hint: e.hint })
    this.name = e.name
  }
}

export type ControlTarget = { socketPath: string } | { host: string, port: number, token: string }

export interface StreamHandlers {
  onProgress?: (p: Progress) => void
  onQueued?: (operation: string, joined: boolean) => void
}

export class DaemonClient {
  constructor (private readonly target: ControlTarget) {}

  async status (): Promise<Status> { return await this.call(ROUTES.status) }
  async peers (): Promise<PeerRow[]> { return await this.call(ROUTES.peers) }
  async snapshots (filter?: SnapshotFilterBody): Promise<SnapshotRow[]> { return filter === undefined ? await this.call(ROUTES.snapshots) : await this.call(ROUTES.snapshotsFiltered, { filter }) }
  async ls (snapshot: string, path?: string, filter?: SnapshotFilterBody): Promise<LsEntry[]> {
    return await this.call(ROUTES.ls, { snapshot, ...(path === undefined ? {} : { path }), ...(filter === undefined ? {} : { filter }) })
  }

  async backup (body: BackupRequestBody, h: StreamHandlers = {}): Promise<BackupAnswer> { return await this.stream(ROUTES.backup, body, h) }
  async restore (body: RestoreRequestBody, h: StreamHandlers = {}): Promise<RestoreAnswer> { return await this.stream(ROUTES.restore, body, h) }
  async check (body: CheckRequestBody, h: StreamHandlers = {}): Promise<CheckAnswer> { return await this.stream(ROUTES.check, body, h) }
  async keyPasswd (oldPassphrase: string, newPassphrase: string): Promise<{ changed: true, storedInSwarm: boolean }> {
    return await this.call(ROUTES.keyPasswd, { oldPassphrase, newPassphrase })
  }

  async keyRecovery (passphrase: string): Promise<{ recoveryKey: string }> { return await this.call(ROUTES.keyRecovery, { passphrase }) }
  async keyVerify (passphrase: string): Promise<{ ok: true }> { return await this.call(ROUTES.keyVerify, { passphrase }) }
  async ownerReload (): Promise<{ owner: string | null }> { return await this.call(ROUTES.ownerReload, {}) }
  async away (until: number | null): Promise<AwayAnswer> { return await this.call(ROUTES.away, { until }) }
  async leave (body: LeaveBody, h: StreamHandlers = {}): Promise<LeaveAnswer> { return await this.stream(ROUTES.leave, body, h) }
  async peersForget (body: PeersForgetBody): Promise<PeersForgetAnswer> { return await this.call(ROUTES.peersForget, body) }
  async history (): Promise<HistoryEntry[]> { return await this.call(ROUTES.history) }

  private describe (): string {
    return 'socketPath' in this.target ? this.target.socketPath : `${this.target.host}:${this.target.port}`
  }

  private async open (route: { method: string, path: string }, body: unknown): Promise<IncomingMessage> {
    const payload = route.method === 'POST' ? JSON.stringify(body ?? {}) : undefined
    const headers: Record<string, string> = { accept: 'application/json' }
    if (payload !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(payload)) }
    const where = 'socketPath' in this.target
      ? { socketPath: this.target.socketPath }
      : { host: this.target.host, port: this.target.port }
    if (!('socketPath' in this.target)) headers.authorization = `Bearer ${this.target.token}`
    return await new Promise<IncomingMessage>((resolve, reject) => {
      // agent: false, one connection per request: a kept-alive socket that the daemon closes after
      // its idle timeout (5 s) just as a long-lived client reuses it fails the request with EPIPE.
      const req = request({ ...where, agent: false, method: route.method, path: route.path, headers }, resolve)
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
          reject(new DaemonNotRunningError(`no p2pbak daemon is running (nothing answers on ${this.describe()})`, {
            hint: 'start it with `p2pbak daemon` (or `systemctl --user start p2pbak`), or point -c/--config at the right configuration'
          }))
        } else if (err.code === 'EACCES') {
          reject(new DaemonNotRunningError(`permission denied on ${this.describe()}`, { hint: 'run p2pbak as the user the daemon runs as' }))
        } else {
          reject(err)
        }
      })
      req.end(payload)
    })
  }

  private async call<R> (route: { method: string, path: string }, body?: unknown): Promise<R> {
    const res = await this.open(route, body)
    const text = await readAll(res)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new P2pbakError(`the daemon answered ${res.statusCode ?? '?'} with something that is not JSON`, { hint: 'check that the socket belongs to a p2pbak daemon of the same version' })
    }
    const error = (value as { error?: ApiError } | null)?.error
    if (error !== undefined && (res.statusCode ?? 500) >= 400) throw new RemoteError(error)
    return value as R
  }

  private async stream<R> (route: { method: string, path: string }, body: unknown, h: StreamHandlers): Promise<R> {
    const res = await this.open(route, body)
    if (!(res.headers['content-type'] ?? '').includes('ndjson')) return await this.finishPlain<R>(res)
    let buffered = ''
    let outcome: { result: R } | { error: ApiError } | undefined
    res.setEncoding('utf8')
    const gone = (): DaemonNotRunningError => new DaemonNotRunningError('the daemon stopped before the operation finished', { hint: 'see the daemon\'s log, then run the command again' })
    const lines = async function * (): AsyncGenerator<string> {
      try {
        for await (const chunk of res as AsyncIterable<string>) yield chunk
      } catch {
        throw gone() // the connection was reset: the daemon crashed or was killed
      }
    }
    for await (const chunk of lines()) {
      buffered += chunk
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line.trim() === '') continue
        const msg = JSON.parse(line) as StreamLine<R>
        if (msg.type === 'progress') h.onProgress?.(msg.progress)
        else if (msg.type === 'queued') h.onQueued?.(msg.operation, msg.joined)
        else if (msg.type === 'result') outcome = { result: msg.result }
        else outcome = { error: msg.error }
      }
    }
    if (outcome === undefined) throw gone()
    if ('error' in outcome) throw new RemoteError(outcome.error)
    return outcome.result
  }

  private async finishPlain<R> (res: IncomingMessage): Promise<R> {
    const value = JSON.parse(await readAll(res)) as { error?: ApiError }
    if (value.error !== undefined) throw new RemoteError(value.error)
    return value as R
  }
}

async function readAll (res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8')
  let s = ''
  for await (const chunk of res as AsyncIterable<string>) s += chunk
  return s
}
