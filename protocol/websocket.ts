import { z } from "zod";
import { Base } from "./common";
import { Coin, ExchangeRate, FearGreed } from "./market";

/**
 * What a client sends on `/ws/market`, `/ws/prices` and `/ws/prices/{symbol}`.
 * `subscribe` narrows (or widens) the set of coins the socket receives; `["*"]` means all.
 * `snapshot` asks for a fresh snapshot (after a `seq` gap).
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

/** A conflated update: the latest state of each coin that changed since the socket's last message. */
export const UpdateMessage = z
  .object({
    type: z.literal("update"),
    seq: z.number().int(),
    data: MarketGlobals.partial().extend({ coins: z.array(Coin) }),
  })
  .meta({ id: "UpdateMessage" });
export type UpdateMessage = z.infer<typeof UpdateMessage>;

/** A client message that could not be understood. The socket stays open. */
export const ErrorMessage = z
  .object({ type: z.literal("error"), seq: z.number().int(), error: z.string() })
  .meta({ id: "ErrorMessage" });
export type ErrorMessage = z.infer<typeof ErrorMessage>;
