// A promise the test settles by hand. tsconfig's lib is ES2023, so Promise.withResolvers (polyfilled
// by test/setup.ts through daemon/polyfill.ts) is reached through a typed cast.
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (reason?: unknown) => void
}

export function deferred<T> (): Deferred<T> {
  return (Promise as unknown as { withResolvers: <U>() => Deferred<U> }).withResolvers<T>()
}
