// Local implementations of the storage port (./types.ts; docs/storage.md). Every implementation
// passes test/unit/store/compliance.ts.
import { MemoryBackend } from './memory-store.js'
import { openDirStore } from './dir-store.js'
import type { DirStoreBackend } from './dir-store.js'
import type { Backend } from './types.js'

export type { Backend, ByteRange, ObjectInfo, OperationOptions, PackStore, PutOptions, RecordStore } from './types.js'
export { DIR_STORE_MARKER, DIR_STORE_VERSION } from './dir-store.js'
export type { DirStoreBackend, PackFileWriter } from './dir-store.js'
export { RECORD_KEY_PATTERN } from './validate.js'

export interface DirBackendOptions {
  /**
   * Create the store when `dir` holds none: makes `dir` (mode 0700) and its marker file. An
   * existing non-empty directory that is not a store is refused (AlreadyExistsError). Default false:
   * a directory without the marker is NotInitializedError.
   */
  create?: boolean
}

/** A store in memory, for tests and in-process networks. Copies bytes in and out. */
export function createMemoryBackend (): Backend {
  return new MemoryBackend()
}

/**
 * Opens the directory store at `dir` (synchronously): checks its marker (NotInitializedError when
 * missing, UnsupportedVersionError for an unknown version) and removes the temporary files an
 * interrupted write left behind. One process at a time may open a given directory.
 */
export function openDirBackend (dir: string, options: DirBackendOptions = {}): DirStoreBackend {
  return openDirStore(dir, options.create === true)
}
