import type { SimVenue } from "../sim-venue";
import { binanceSim } from "./binance";
import { binanceFuturesSim } from "./binance-futures";
import { bithumbSim } from "./bithumb";
import { bitmexSim } from "./bitmex";
import { bybitSim } from "./bybit";
import { bybitLinearSim } from "./bybit-linear";
import { fearGreedSim } from "./fear-greed";
import { fxSim } from "./fx";
import { okxSim } from "./okx";
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
  binanceFuturesSim,
  bybitLinearSim,
  okxSim,
  bitmexSim,
];
