/** The parts of the SDKs' `APIPromise` a tracked call uses or keeps available. */
export interface ApiPromiseLike<T> extends PromiseLike<T> {
  _thenUnwrap?<U>(transform: (data: T, props: unknown) => U): ApiPromiseLike<U>;
  asResponse?(): Promise<unknown>;
  withResponse?(): Promise<unknown>;
}

/** Maps the parsed data of an SDK promise, keeping its helpers (`withResponse`, `asResponse`) when it has them. */
export function mapApiPromise<T, U>(promise: ApiPromiseLike<T>, transform: (data: T) => U): ApiPromiseLike<U> {
  if (typeof promise._thenUnwrap === "function") return promise._thenUnwrap((data) => transform(data));
  return Promise.resolve(promise).then(transform);
}

/** Calls `onFailure` when the HTTP request of an SDK promise fails, without parsing (consuming) its body. */
export function watchRequestFailure(promise: ApiPromiseLike<unknown>, onFailure: (error: unknown) => void): void {
  if (typeof promise.asResponse === "function") promise.asResponse().catch(onFailure);
}

// The SDK promise travels boxed: a promise resolved with a thenable would adopt it, parsing its body.
type Boxed<T> = Promise<{ readonly inner: ApiPromiseLike<T> }>;

/**
 * An `APIPromise` stand-in for a request that starts later (after a guard's reservation):
 * `await`, `withResponse()`, `asResponse()` and `_thenUnwrap()` act on the request once sent.
 * Like `APIPromise`, it only parses the body when awaited.
 */
export class DeferredApiPromise<T> extends Promise<T> {
  // Derived promises (then/catch) are plain promises, never built through this constructor.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #request: Boxed<T>;
  #parsed: Promise<T> | undefined;

  constructor(request: Boxed<T>) {
    super((resolve) => resolve(undefined as T));
    this.#request = request;
    // A refused or failed request surfaces wherever the caller looks; unobserved, it must not crash the process.
    request.catch(() => undefined);
  }

  #data(): Promise<T> {
    this.#parsed ??= this.#request.then(({ inner }) => inner);
    return this.#parsed;
  }

  /** Waits for the reservation and the request, then resolves with the parsed data. */
  override then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.#data().then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`, on the parsed data. */
  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#data().catch(onrejected);
  }

  /** Like `Promise.prototype.finally`, on the parsed data. */
  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#data().finally(onfinally);
  }

  /** The SDK's `asResponse()` of the request once sent. */
  asResponse(): Promise<unknown> {
    return this.#request.then(({ inner }) => (inner.asResponse ? inner.asResponse() : Promise.resolve(inner)));
  }

  /** The SDK's `withResponse()` of the request once sent. */
  withResponse(): Promise<unknown> {
    return this.#request.then(({ inner }) => (inner.withResponse ? inner.withResponse() : Promise.resolve(inner).then((data) => ({ data }))));
  }

  /** The SDK's internal `_thenUnwrap()`, used by its own helpers (`parse`, `stream`). */
  _thenUnwrap<U>(transform: (data: T, props: unknown) => U): DeferredApiPromise<U> {
    return new DeferredApiPromise<U>(
      this.#request.then(({ inner }) => ({ inner: inner._thenUnwrap ? inner._thenUnwrap(transform) : Promise.resolve(inner).then((data) => transform(data, undefined)) })),
    );
  }
}
