import { readFileSync } from 'node:fs'

// dist/cli/version.js and cli/version.ts sit at different depths below package.json.
const packageJson = new URL(import.meta.url.includes('/dist/') ? '../../package.json' : '../package.json', import.meta.url)
export const VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version
