// Owned disposables: a class that holds listeners, watchers or timers extends Disposable and
// registers them; dispose() releases them once, and `isDisposed` guards work that arrives late.
export interface DisposableLike {
  dispose(): unknown;
}

export function disposeAll(disposables: DisposableLike[]): void {
  while (disposables.length > 0) disposables.pop()?.dispose();
}

export abstract class Disposable implements DisposableLike {
  private disposed = false;
  private readonly owned: DisposableLike[] = [];

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Owns `value`: disposed with this object (at once when this object is already disposed). */
  protected register<T extends DisposableLike>(value: T): T {
    if (this.disposed) value.dispose();
    else this.owned.push(value);
    return value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned);
  }
}
