import { z } from "zod";
import { Base, MarketVenue } from "./common";
import { Coin, ExchangeRate, FearGreed, Premium, VenuePrice } from "./market";

/**
 * What a client sends on `/ws/market` and `/ws/prices`. `subscribe` narrows (or widens) the set of
 * coins the socket receives; `["*"]` means all. `unsubscribe` drops coins. Both are answered with a
 * `subscription` message (`["*"]` with a snapshot). `snapshot` asks for a fresh snapshot (after a
 * `seq` gap); snapshots come at most once a second per socket, so requests within a second are
 * answered by one snapshot. A client may send a burst of 20 messages, then 2 a second (the text
 * `ping` does not count); past that it gets an `error` and the socket is closed with code 1008.
 */
export const ClientMessage = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("subscribe"),
    symbols: z
      .array(z.union([Base, z.literal("*")]))
      .min(1)
      .max(500),
  }),
  z.object({ op: z.literal("unsubscribe"), symbols: z.array(Base).min(1).max(500) }),
  z.object({ op: z.literal("snapshot") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** What a client sends on `/ws/prices/{symbol}` (one coin): only `snapshot`, under the same limits. */
export const CoinStreamClientMessage = z.object({ op: z.literal("snapshot") });
export type CoinStreamClientMessage = z.infer<typeof CoinStreamClientMessage>;

/** The market-wide part of a snapshot or update. */
export const MarketGlobals = z.object({
  exchange_rate: ExchangeRate,
  fear_greed: FearGreed.nullable(),
});
export type MarketGlobals = z.infer<typeof MarketGlobals>;

/** First message on a socket (and the answer to `snapshot`/`subscribe`): every subscribed coin in full. */
export const SnapshotMessage = z
  .object({
    type: z.literal("snapshot"),
    seq: z.number().int(),
    data: MarketGlobals.extend({ coins: z.array(Coin), source: z.string() }),
  })
  .meta({ id: "SnapshotMessage" });
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;

/**
 * What changed in one coin since the previous message, as a patch (protocol/patch.ts): objects merge
 * member by member, any other value replaces; `null` is a value. A coin the client has not seen yet
 * arrives whole.
 */
export const CoinPatch = z
  .object({
    symbol: z.string(),
    korean_name: z.string().nullable().optional(),
    english_name: z.string().nullable().optional(),
    prices: z.partialRecord(MarketVenue, VenuePrice.partial()).optional(),
    premium: Premium.extend({ inputs: Premium.shape.inputs.partial() }).partial().nullable().optional(),
    warnings: z.array(z.string()).optional(),
  })
  .meta({ id: "CoinPatch" });
export type CoinPatch = z.infer<typeof CoinPatch>;

/**
 * A conflated update: for each subscribed coin that changed since the socket's last message, the patch
 * from the state the client holds (its snapshot with every later update applied) to the latest one.
 * A client that misses a message (a gap in `seq`) must ask for a new snapshot before applying more.
 */
export const UpdateMessage = z
  .object({
    type: z.literal("update"),
    seq: z.number().int(),
    data: MarketGlobals.partial().extend({ coins: z.array(CoinPatch) }),
  })
  .meta({ id: "UpdateMessage" });
export type UpdateMessage = z.infer<typeof UpdateMessage>;

/**
 * The answer to `subscribe` and `unsubscribe`: the socket's subscription now and every coin of it,
 * whole (as a snapshot shows them, at the same moment). A client drops the coins it holds that are not
 * in `symbols` and replaces the others with `coins`; later updates patch them as usual.
 */
export const SubscriptionMessage = z
  .object({
    type: z.literal("subscription"),
    seq: z.number().int(),
    data: z.object({ symbols: z.array(z.string()).nullable(), coins: z.array(Coin) }),
  })
  .meta({ id: "SubscriptionMessage" });
export type SubscriptionMessage = z.infer<typeof SubscriptionMessage>;

/** A client message that could not be understood. The socket stays open. */
export const ErrorMessage = z
  .object({ type: z.literal("error"), seq: z.number().int(), error: z.string() })
  .meta({ id: "ErrorMessage" });
export type ErrorMessage = z.infer<typeof ErrorMessage>;
