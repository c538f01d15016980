// An interruptible sleep for the long-running loops (worker, mail sender, webhook runner, IMAP poller):
// `sleep(ms)` resolves after `ms` or as soon as `wake()` is called, whichever comes first.
export class Alarm {
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => this.wake(), Math.max(0, ms));
    });
  }

  /** Ends the current sleep now (nothing when none is running). */
  wake(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
