import { z } from "zod";

/** The record/replay line (`RawFrame` in ./frames.ts) as a schema, for reading files and stdin. */
export const RawFrameSchema = z.object({
  venue: z.string().min(1).max(40),
  stream: z.string().min(1).max(200),
  received_at: z.number().nonnegative(),
  frame: z.string(),
});
