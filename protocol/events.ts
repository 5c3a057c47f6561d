/**
 * Events on the `notifications` queue, in the seed's event-bus shape: `{ id, type, data, timestamp }`
 * (`timestamp` in ms since the epoch, as every `timestamp` in the contract), discriminated by `type`.
 * Producers (the user ledger, the alert evaluators) build them with `notificationEvent`; the consumer
 * reads a `MessageBatch<NotificationEvent>` and checks each body against `NotificationEvent`.
 * A new kind of event is one more member of the union (and of `NOTIFICATION_EVENT_TYPES`).
 */
import { z } from "zod";
import { AlertTriggered } from "./alerts";
import { EpochMs } from "./common";
import { Order } from "./trading";

/** Every event type, for preferences (which channels each type goes to). */
export const NOTIFICATION_EVENT_TYPES = [
  "alert.triggered",
  "order.created",
  "order.status_updated",
  "order.filled",
] as const;

/** The envelope of one event type with its data. */
function eventOf<T extends (typeof NOTIFICATION_EVENT_TYPES)[number], D extends z.ZodType>(type: T, data: D) {
  return z.object({
    /** Unique per event: consumers de-duplicate deliveries by it. */
    id: z.string().min(1).max(128),
    type: z.literal(type),
    data,
    timestamp: EpochMs,
  });
}

/** An order was accepted (PENDING), in the seed's `order.created`. */
export const OrderCreatedEvent = eventOf("order.created", Order);
/** An order's status changed (filled in part, cancelled, rejected...). */
export const OrderStatusUpdatedEvent = eventOf("order.status_updated", Order);
/** An order filled completely. */
export const OrderFilledEvent = eventOf("order.filled", Order);
/** One of the user's alerts fired. */
export const AlertTriggeredEvent = eventOf("alert.triggered", AlertTriggered);

export const NotificationEvent = z
  .discriminatedUnion("type", [AlertTriggeredEvent, OrderCreatedEvent, OrderStatusUpdatedEvent, OrderFilledEvent])
  .meta({ id: "NotificationEvent" });
export type NotificationEvent = z.infer<typeof NotificationEvent>;
export type NotificationEventType = NotificationEvent["type"];

/** Builds an event with a fresh id (or the given one, for an event that must keep its id on retries). */
export function notificationEvent<E extends NotificationEvent>(
  type: E["type"],
  data: E["data"],
  options: { id?: string; timestamp?: number } = {},
): E {
  return { id: options.id ?? crypto.randomUUID(), type, data, timestamp: options.timestamp ?? Date.now() } as E;
}
