// What a command may touch of the outside world; tests pass their own.

export interface CliIo {
  stdout: { write: (s: string) => unknown, isTTY?: boolean }
  stderr: { write: (s: string) => unknown, isTTY?: boolean }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean, setRawMode?: (mode: boolean) => unknown }
  env: NodeJS.ProcessEnv
  cwd: string
}

export function processIo (): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }
}

/**
 * A reader that stops early (`p2pbak ls latest | head`) closes the pipe: the next write fails with
 * EPIPE. That is the reader's choice, not an error: the process ends quietly, with the exit code
 * set so far (0 unless a command already failed), like a C program killed by SIGPIPE would, minus
 * the signal. Any other error on the stream is left to Node (a real fault). A closed stderr is
 * ignored for the same reason; the command still runs to its end.
 */
export function endQuietlyOnClosedPipe (stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, exit: (code: number) => never = (code) => process.exit(code)): void {
  const isEpipe = (err: NodeJS.ErrnoException): boolean => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED'
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!isEpipe(err)) throw err
    const code = process.exitCode
    exit(typeof code === 'number' ? code : 0)
  })
  stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (!isEpipe(err)) throw err
  })
}
