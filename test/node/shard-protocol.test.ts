import { describe, expect, it } from "vitest";
import { joinPatches, patchesOf, type ShardPublish, updateData } from "../../durable-objects/sockets/shard-protocol";

const patches: [string, string][] = [
  ["BTC", '{"symbol":"BTC","prices":{"upbit":{"price":1}}}'],
  ["ETH", '{"symbol":"ETH","korean_name":"이더리움, 2"}'],
  ["XRP", '{"symbol":"XRP"}'],
];

function flushOf(list: [string, string][]): ShardPublish {
  return { stream: "market", seq: 1, ...joinPatches(list), globals: "", extras: "" };
}

describe("a flush's patches as one string", () => {
  it("rebuilds the all-coins message and any socket's own coins from the one string", () => {
    const flush = flushOf(patches);
    expect(JSON.parse(`{${updateData(flush.patches, "", "")}}`).data.coins).toEqual(
      patches.map(([, j]) => JSON.parse(j)),
    );
    for (const wanted of [["BTC"], ["ETH"], ["XRP"], ["BTC", "XRP"], ["ETH", "DOGE"], []]) {
      const own = patchesOf(flush, new Set(wanted));
      const expected = patches.filter(([k]) => wanted.includes(k)).map(([, j]) => JSON.parse(j));
      expect(JSON.parse(`[${own}]`)).toEqual(expected);
    }
  });

  it("carries a flush with no patches (only rates or liquidations changed)", () => {
    const flush = flushOf([]);
    expect(flush.patches).toBe("");
    expect(patchesOf(flush, new Set(["BTC"]))).toBe("");
    expect(updateData(flush.patches, '"fear_greed":null', "")).toBe('"data":{"coins":[],"fear_greed":null}');
  });
});
