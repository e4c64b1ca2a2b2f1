/** How a stream ended, as seen by its consumer. */
export type StreamEnd = "complete" | "stopped" | "failed";

/** Watches the items of an SDK stream on their way to the consumer. */
export interface StreamObserver<Item> {
  /** Sees one item; returns false to hide it from the consumer. Must not throw. */
  see(item: Item): boolean;
  /** Called once when the consumer's iteration ends: at the end, stopped early, or failed. */
  end(how: StreamEnd): void;
}

type IterableStream<Item> = AsyncIterable<Item> & { iterator?: () => AsyncIterator<Item> };

/**
 * Makes an SDK `Stream` pass its items through `observer`, keeping the same object, so
 * `for await`, `tee()`, `toReadableStream()` and `controller.abort()` work as before.
 */
export function observeStream<Item>(stream: AsyncIterable<Item>, observer: StreamObserver<Item>): void {
  const target = stream as IterableStream<Item>;
  // The SDKs' Stream keeps its source in `iterator`, used by both `[Symbol.asyncIterator]` and `tee()`.
  if (typeof target.iterator === "function") {
    const source = target.iterator;
    target.iterator = () => observed(source.call(stream), observer);
    return;
  }
  const source = target[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: () => observed(source.call(stream), observer),
    configurable: true,
    writable: true,
  });
}

async function* observed<Item>(source: AsyncIterator<Item>, observer: StreamObserver<Item>): AsyncGenerator<Item, void, undefined> {
  let how: StreamEnd = "stopped";
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        how = "complete";
        return;
      }
      if (safeSee(observer, next.value)) yield next.value;
    }
  } catch (error) {
    how = "failed";
    throw error;
  } finally {
    // The consumer left early (break, return): close the source so the SDK aborts the request.
    if (how === "stopped") await closeQuietly(source);
    try {
      observer.end(how);
    } catch {
      // Recording is best effort; the consumer's iteration ends as it would have.
    }
  }
}

function safeSee<Item>(observer: StreamObserver<Item>, item: Item): boolean {
  try {
    return observer.see(item);
  } catch {
    return true;
  }
}

async function closeQuietly(source: AsyncIterator<unknown>): Promise<void> {
  try {
    await source.return?.();
  } catch {
    // Closing is best effort; the consumer already has what it wanted.
  }
}
