import type { SimVenue } from "../sim-venue";
import { binanceSim } from "./binance";
import { bithumbSim } from "./bithumb";
import { bybitSim } from "./bybit";
import { fearGreedSim } from "./fear-greed";
import { fxSim } from "./fx";
import { upbitSim } from "./upbit";

/**
 * Every simulated venue, one line each. A module simulates one feed id's wire protocol (see
 * ../sim-venue.ts and collectors/README.md); the server routes `/<venue>/<endpoint>/...` to it.
 */
export const SIM_VENUES: readonly SimVenue[] = [
  upbitSim,
  bithumbSim,
  binanceSim,
  bybitSim,
  fxSim,
  fearGreedSim,
  // liquidation venues
];
