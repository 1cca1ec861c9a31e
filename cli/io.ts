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
