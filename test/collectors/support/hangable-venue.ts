/**
 * Test support for the liquidation feeds: a simulated venue that can be made to stop answering
 * altogether (a hung server: open socket, no data, no pongs), which the simulator's own `setSilent`
 * deliberately does not do, since it keeps answering keep-alives.
 */
import type { SimSocket, SimVenue } from "../../../collectors/simulator/sim-venue";
import type { IngestEvent, LiquidationEvent } from "../../../protocol/ingest";

/** A simulated venue and the switch that makes all of its sockets stop sending anything. */
export interface HangableVenue {
  venue: SimVenue;
  hang(hung: boolean): void;
}

/** Wraps a simulated venue so `hang(true)` swallows everything its sockets would send. */
export function hangable(inner: SimVenue): HangableVenue {
  let hung = false;
  const connect = inner.connect;
  const venue: SimVenue = {
    ...inner,
    ...(connect
      ? {
          connect(socket, ctx) {
            const wrapped: SimSocket = {
              endpoint: socket.endpoint,
              path: socket.path,
              query: socket.query,
              get open() {
                return socket.open;
              },
              send: (text, options) => {
                if (!hung) socket.send(text, options);
              },
              ping: () => socket.ping(),
              close: (code, reason) => socket.close(code, reason),
              onMessage: (handler) => socket.onMessage(handler),
              onPong: (handler) => socket.onPong(handler),
              onClose: (handler) => socket.onClose(handler),
            };
            connect.call(inner, wrapped, ctx);
          },
        }
      : {}),
  };
  return {
    venue,
    hang: (value) => {
      hung = value;
    },
  };
}

/** The liquidations among some events. */
export function liquidations(events: readonly IngestEvent[]): LiquidationEvent[] {
  return events.filter((e): e is LiquidationEvent => e.kind === "liquidation");
}
