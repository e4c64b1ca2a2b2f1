/** How a stream ended, as seen by its consumer. */
export type StreamEnd = "complete" | "stopped" | "failed";

/** Watches the items of an SDK stream on their way to the consumer. */
export interface StreamObserver<Item> {
  /** Sees one item; returns false to hide it from the consumer. Must not throw. */
  see(item: Item): boolean;
  /** Called once when the stream ends for the consumer: read to the end, stopped early (break, abort), or failed. */
  end(how: StreamEnd): void;
}

type IterableStream<Item> = AsyncIterable<Item> & {
  iterator?: () => AsyncIterator<Item>;
  controller?: { readonly signal?: AbortSignal };
};

/**
 * Makes an SDK `Stream` pass its items through `observer`, keeping the same object, so
 * `for await`, `tee()`, `toReadableStream()` and `controller.abort()` work as before.
 * `end` is called once, whichever way the stream ends: also for a stream aborted through its
 * `controller` (or the request's `signal`) before anyone read it.
 */
export function observeStream<Item>(stream: AsyncIterable<Item>, observer: StreamObserver<Item>): void {
  const target = stream as IterableStream<Item>;
  const signal = target.controller?.signal;
  const once = endingOnce(observer);
  let started = false;
  const observe = (source: AsyncIterator<Item>) => {
    started = true;
    return observed(source, once, signal);
  };
  // An SDK aborts its controller itself when a reader stops early; only an abort before any
  // reading is left to this listener, since nothing else would ever end such a stream.
  signal?.addEventListener("abort", () => started || once.end("stopped"), { once: true });
  // The SDKs' Stream keeps its source in `iterator`, used by both `[Symbol.asyncIterator]` and `tee()`.
  if (typeof target.iterator === "function") {
    const source = target.iterator;
    target.iterator = () => observe(source.call(stream));
    return;
  }
  const source = target[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: () => observe(source.call(stream)),
    configurable: true,
    writable: true,
  });
}

// A stream iterated twice (the SDK refuses the second time) or aborted before and read after must still end once.
function endingOnce<Item>(observer: StreamObserver<Item>): StreamObserver<Item> {
  let ended = false;
  return {
    see: (item) => observer.see(item),
    end(how) {
      if (ended) return;
      ended = true;
      try {
        observer.end(how);
      } catch {
        // Recording is best effort; the consumer's iteration ends as it would have.
      }
    },
  };
}

async function* observed<Item>(source: AsyncIterator<Item>, observer: StreamObserver<Item>, signal: AbortSignal | undefined): AsyncGenerator<Item, void, undefined> {
  let how: StreamEnd = "stopped";
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        // The SDKs end an aborted stream quietly, as if it were complete.
        how = signal?.aborted ? "stopped" : "complete";
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
    observer.end(how);
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
