import type { SimVenue } from "../sim-venue";

/**
 * Every simulated venue, one line each. A module simulates one feed id's wire protocol (see
 * ../sim-venue.ts and collectors/README.md); the server routes `/<venue>/<endpoint>/...` to it.
 */
export const SIM_VENUES: readonly SimVenue[] = [];
