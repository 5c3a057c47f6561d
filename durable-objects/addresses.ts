/**
 * One helper per Durable Object namespace, so every caller (the gateway and the objects themselves)
 * addresses objects by the same normalised name.
 */

/** The single board that holds every coin. */
export function marketBoard(env: Env) {
  return env.MARKET_BOARD.get(env.MARKET_BOARD.idFromName("board"));
}

/** The single feed that holds liquidations from every venue. */
export function liquidationFeed(env: Env) {
  return env.LIQUIDATION_FEED.get(env.LIQUIDATION_FEED.idFromName("feed"));
}

/** The object for one coin, by its upper-case base asset. */
export function marketSymbol(env: Env, base: string) {
  return env.MARKET_SYMBOL.get(env.MARKET_SYMBOL.idFromName(base.toUpperCase()));
}

/** The object of one user (their private stream; their paper-trading ledger), by user id. */
export function userLedger(env: Env, userId: string) {
  return env.USER_LEDGER.get(env.USER_LEDGER.idFromName(userId));
}

/** The single collector of the gateway's request metrics (see `MetricsCollector`). */
export function metricsCollector(env: Env) {
  return env.METRICS_COLLECTOR.get(env.METRICS_COLLECTOR.idFromName("metrics"));
}

/** One fan-out shard of a stream, by its name (`market#0`, `coin:BTC#1`: see `shardName`). */
export function fanoutShard(env: Env, name: string) {
  return env.FANOUT_SHARD.get(env.FANOUT_SHARD.idFromName(name));
}
