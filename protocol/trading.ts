/**
 * Paper trading as clients see it, in the seed's shapes (trading-service: `OrderCreate`, `Order`,
 * `OrderStatus`, `Position`, `PositionUpdate`).
 */
import { z } from "zod";

export const OrderSide = z.enum(["BUY", "SELL"]).meta({ id: "OrderSide" });
export type OrderSide = z.infer<typeof OrderSide>;

export const OrderType = z.enum(["MARKET", "LIMIT", "STOP"]).meta({ id: "OrderType" });
export type OrderType = z.infer<typeof OrderType>;

export const OrderStatus = z
  .enum(["PENDING", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "REJECTED"])
  .meta({ id: "OrderStatus" });
export type OrderStatus = z.infer<typeof OrderStatus>;

/** An order (seed: `Order`); `*_at` are ISO-8601. */
export const Order = z
  .object({
    id: z.string(),
    user_id: z.string(),
    symbol: z.string(),
    side: OrderSide,
    quantity: z.number(),
    price: z.number().nullable(),
    order_type: OrderType,
    status: OrderStatus,
    created_at: z.string(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: "Order" });
export type Order = z.infer<typeof Order>;
