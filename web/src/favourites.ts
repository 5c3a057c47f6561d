/** The coins a user starred, kept in localStorage so they survive reloads. */
const STORAGE_KEY = "kimchi.favourites";

/** A set of favourite symbols backed by localStorage; listeners hear every change. */
export class Favourites {
  private readonly symbols: Set<string>;
  private readonly listeners = new Set<(symbol: string) => void>();

  constructor(private readonly storage: Storage | null = safeStorage()) {
    this.symbols = new Set(this.read());
    // Another tab changed them: follow along.
    window.addEventListener("storage", (e) => {
      if (e.key !== STORAGE_KEY) return;
      const next = new Set(this.read());
      const changed = [...next]
        .filter((s) => !this.symbols.has(s))
        .concat([...this.symbols].filter((s) => !next.has(s)));
      this.symbols.clear();
      for (const s of next) this.symbols.add(s);
      for (const s of changed) this.emit(s);
    });
  }

  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }

  get size(): number {
    return this.symbols.size;
  }

  /** Adds or removes a symbol and saves the set. */
  toggle(symbol: string): void {
    if (this.symbols.has(symbol)) this.symbols.delete(symbol);
    else this.symbols.add(symbol);
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify([...this.symbols].sort()));
    } catch {
      // storage full or disabled: the star still works for this page
    }
    this.emit(symbol);
  }

  onChange(listener: (symbol: string) => void): void {
    this.listeners.add(listener);
  }

  private emit(symbol: string): void {
    for (const l of this.listeners) l(symbol);
  }

  private read(): string[] {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === "string") : [];
    } catch {
      return [];
    }
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
