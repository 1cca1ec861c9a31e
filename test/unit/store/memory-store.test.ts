import { createMemoryBackend } from '../../../daemon/store/index.js'
import { runBackendCompliance } from './compliance.js'

runBackendCompliance('memory', async () => ({ backend: createMemoryBackend(), cleanup: async () => {} }))
