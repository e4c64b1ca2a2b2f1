/** The pause before a failed batch is written again: cut short when the buffer gives up. */
export class RetrySleep {
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  /** Resolves after `ms`; unless `keepAlive`, the pause alone does not keep the process alive. */
  sleep(ms: number, keepAlive: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
      if (!keepAlive) timer.unref();
      this.#timer = timer;
      this.#wake = resolve;
    });
  }

  /** Lets the pause under way keep the process alive (someone now waits for it). */
  keepAlive(): void {
    this.#timer?.ref();
  }

  /** Ends the pause under way at once. */
  wake(): void {
    clearTimeout(this.#timer);
    this.#wake?.();
  }
}
