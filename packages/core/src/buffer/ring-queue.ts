/**
 * FIFO queue on a circular array that doubles up to `capacity`: push and shift are O(1) and
 * allocate nothing once the array has grown, which keeps the buffer's enqueue path cheap.
 */
export class RingQueue<T> {
  readonly capacity: number;
  #slots: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#slots = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  /** Number of items held. */
  get size(): number {
    return this.#size;
  }

  /** Appends an item; the caller checks `size < capacity` first. */
  push(item: T): void {
    if (this.#size === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#size) % this.#slots.length] = item;
    this.#size++;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#size--;
    return item;
  }

  /** Removes up to `count` of the oldest items and returns them, oldest first. */
  take(count: number): T[] {
    const n = Math.min(count, this.#size);
    const taken = new Array<T>(n);
    for (let i = 0; i < n; i++) taken[i] = this.shift() as T;
    return taken;
  }

  #grow(): void {
    if (this.#slots.length >= this.capacity) throw new RangeError(`queue is full (${this.capacity} items)`);
    const grown = new Array<T | undefined>(Math.min(this.capacity, this.#slots.length * 2));
    for (let i = 0; i < this.#size; i++) grown[i] = this.#slots[(this.#head + i) % this.#slots.length];
    this.#slots = grown;
    this.#head = 0;
  }
}
