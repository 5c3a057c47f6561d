import { mixSeed, seededRandom } from "./random";

const DAY_MS = 86_400_000;

/**
 * A slow, deterministic wave (three sines of weeks-to-months periods with seeded phases), about -1 to 1:
 * what makes the synthetic USD/KRW rate and each coin's kimchi premium move over the history.
 */
function wave(seed: number, t: number): number {
  const random = seededRandom(seed);
  const phase = () => random() * 2 * Math.PI;
  const days = t / DAY_MS;
  return (
    0.55 * Math.sin((2 * Math.PI * days) / 41 + phase()) +
    0.3 * Math.sin((2 * Math.PI * days) / 13 + phase()) +
    0.15 * Math.sin((2 * Math.PI * days) / 3.7 + phase())
  );
}

/**
 * A reference series before the simulator started, ending at its value at the start: `value(t)` is
 * `startValue` moved by `amplitude` x (wave(t) - wave(start)), additively or as a factor.
 */
export class ReferenceSeries {
  private readonly atStart: number;

  constructor(
    private readonly seed: number,
    private readonly start: number,
    private readonly startValue: number,
    private readonly amplitude: number,
    private readonly mode: "add" | "scale",
  ) {
    this.atStart = wave(seed, start);
  }

  /** The value at `t` (at or before the start; the start's value after it). */
  at(t: number): number {
    const move = this.amplitude * (wave(this.seed, Math.min(t, this.start)) - this.atStart);
    return this.mode === "add" ? this.startValue + move : this.startValue * Math.exp(move);
  }
}

/** The seeds of the simulator's reference series. */
export const SERIES_SEEDS = {
  usdKrw: mixSeed(7, 1),
  tetherPremium: mixSeed(7, 2),
  premium: (coinIndex: number) => mixSeed(7, 3, coinIndex),
} as const;
