import type { RedisConnection } from "./redis-client";
import { fanOut, isCluster, mastersOf, slotGroups, type RoutedCommand } from "./redis-routing";
import {
  encodeVersioned,
  leaseKeyOf,
  leaseTtlMsOf,
  newTokenBase,
  raisedValueOf,
  ttlMsOf,
  type CacheStore,
  type LeaseRead,
  type LeasedEntry,
  type StoreEntry,
  type StoreOptions,
} from "./store";

/**
 * The shared store: one Redis or a Redis Cluster, through a connection from `redis-client.ts`.
 * Each call is one command, one Lua script or one pipeline on one Redis; on a cluster, one of them
 * per slot, sent as one pipeline per node to every node at once (redis-routing.ts). No KEYS or
 * SCAN anywhere. Lease checks run inside Lua scripts because the check and the write must be one
 * atomic step: between a separate GET of the lease and a SET, another instance's `del` could land,
 * and the stale fill would survive it. A key and its lease share a hash tag (keys.ts), so every
 * script touches one slot.
 */

export interface RedisStoreOptions extends StoreOptions {
  /** `close()` also closes the connection. Default true; false when the connection is shared. */
  ownsClient?: boolean;
}

// KEYS: n value keys, their n lease keys, then the extra keys (all in one slot on a cluster). ARGV: n, leaseTtlMs, token base.
// Replies two slots per key (kind, value or token) and then one per extra key. GET answers false
// for a missing key, which Redis sends as a nil element (a Lua nil would end the array instead).
const getOrLeaseLua = `
local n = tonumber(ARGV[1])
local out = {}
for i = 1, n do
  local value = redis.call('GET', KEYS[i])
  if value then
    out[2 * i - 1] = 'hit'
    out[2 * i] = value
  else
    local token = ARGV[3] .. '.' .. i
    if redis.call('SET', KEYS[n + i], token, 'NX', 'PX', ARGV[2]) then
      out[2 * i - 1] = 'lease'
      out[2 * i] = token
    else
      out[2 * i - 1] = 'busy'
      out[2 * i] = false
    end
  end
end
for j = 2 * n + 1, #KEYS do
  out[j] = redis.call('GET', KEYS[j])
end
return out
`;

// KEYS: n value keys, then their n lease keys. ARGV: value, ttlMs, token for each entry.
// A fill lands only while its own token is still the lease: a del, a set or the lease's expiry
// since the grant means the database may have changed after this fill read it.
const setLeasedLua = `
local n = #KEYS / 2
local out = {}
for i = 1, n do
  local a = 3 * (i - 1)
  if redis.call('GET', KEYS[n + i]) == ARGV[a + 3] then
    redis.call('SET', KEYS[i], ARGV[a + 1], 'PX', ARGV[a + 2])
    redis.call('DEL', KEYS[n + i])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;

// KEYS: the entry, then (optional) its stamp key. Replies its value if every counter its vector
// names holds the named value (an absent counter holds "0"), else nil. The counters are read by
// name, not declared in KEYS: they are only known once the entry is read, and they share its hash
// tag (`{resp:<shard>}`), so in a Redis Cluster they live in its slot.
// Constant work per hit while no write moved the entry's groups: the entry's first line names its
// group epochs (src/cache/version-vector.ts, a handful whatever the answer read) with their values
// when the vector was read; equal now (or equal to the stamp, the values a later full check saw),
// no counter of the vector can have moved, and the vector is not read. Else the full check (one
// MGET of the vector's length), and the current epochs become the stamp. The stamp is deleted by
// every save of the entry (cgSetVersioned), so it always speaks of the vector beside it.
// Entries of the shape before epochs (a "[" first: the vector alone) get the full check.
// ARGV[1] "state" (readVersioned): a valid entry is answered as {the whole entry, its epochs'
// values now joined by " ", 1 if its stamp now holds them, its vector's values now joined by " "},
// what a near copy is checked against. The vector is read for it whichever check validated the
// entry (the full check's MGET when it ran, else one MGET more in the script): a near copy is
// then checked on its vector once a write moved an epoch (src/response-cache.ts). Its counters
// share the entry's hash tag, as for the full check.
const getVersionedLua = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local state = ARGV[1] == 'state'
local function check(pairs)
  local n = #pairs
  if n == 0 then return true, '' end
  local names = {}
  for i = 1, n do names[i] = pairs[i][1] end
  local current = redis.call('MGET', unpack(names))
  local same = true
  for i = 1, n do
    current[i] = current[i] or '0'
    if current[i] ~= pairs[i][2] then same = false end
  end
  return same, table.concat(current, ' ')
end
-- vectorNow: the vector's values when a full check read them; else (state only) read here from the vector.
local function answer(from, now, stamped, vector, vectorNow)
  if not state then return string.sub(raw, from) end
  if not vectorNow then
    local _, values = check(vector)
    vectorNow = values
  end
  return {raw, now, stamped and 1 or 0, vectorNow}
end
if string.byte(raw, 1) ~= 69 then
  local cut = string.find(raw, '\\n', 1, true)
  if not cut then return false end
  local valid, values = check(cjson.decode(string.sub(raw, 1, cut - 1)))
  if not valid then return false end
  return answer(cut + 1, '', false, nil, values)
end
local first = string.find(raw, '\\n', 1, true)
if not first then return false end
local second = string.find(raw, '\\n', first + 1, true)
if not second then return false end
local epochs = cjson.decode(string.sub(raw, 2, first - 1))
local vectorOf = function() return cjson.decode(string.sub(raw, first + 1, second - 1)) end
local same, now = check(epochs)
if #epochs == 0 then same = false end
if same then return answer(second + 1, now, false, state and vectorOf()) end
local stamp = #epochs > 0 and KEYS[2]
if stamp and redis.call('GET', stamp) == now then return answer(second + 1, now, true, state and vectorOf()) end
local valid, values = check(vectorOf())
if not valid then return false end
local stamped = false
if stamp then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    redis.call('SET', stamp, now, 'PX', ttl)
    stamped = true
  end
end
return answer(second + 1, now, stamped, nil, values)
`;

// KEYS: the entry, its stamp key. ARGV: the encoded entry, its TTL in ms. The stamp of the entry
// it replaces goes with it, in one step: a stamp speaks only of the vector it was checked against.
const setVersionedLua = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`;

// KEYS: ARGV[1] keys to delete, then counters to increment, in order. One atomic step (per slot on a cluster).
const invalidateLua = `
local d = tonumber(ARGV[1])
if d > 0 then redis.call('DEL', unpack(KEYS, 1, d)) end
for i = d + 1, #KEYS do redis.call('INCR', KEYS[i]) end
return #KEYS
`;

// KEYS: the marks. ARGV: 16 hex digits. Each key ends at the larger of its value and ARGV[1],
// compared as two 32-bit halves (Lua numbers are doubles: 64 bits would round, and string order
// follows the server's collation locale).
const raiseLua = `
local hi = tonumber(string.sub(ARGV[1], 1, 8), 16)
local lo = tonumber(string.sub(ARGV[1], 9, 16), 16)
for i = 1, #KEYS do
  local current = redis.call('GET', KEYS[i])
  local smaller = true
  if current and string.len(current) == 16 then
    local chi = tonumber(string.sub(current, 1, 8), 16)
    local clo = tonumber(string.sub(current, 9, 16), 16)
    if chi and clo then smaller = chi < hi or (chi == hi and clo < lo) end
  end
  if smaller then redis.call('SET', KEYS[i], ARGV[1]) end
end
return #KEYS
`;

/** A CacheStore on `connection`, one Redis or a cluster (guardWrites default true, ownsClient default true). */
export function createRedisStore(connection: RedisConnection, options: RedisStoreOptions = {}): CacheStore {
  const guardWrites = options.guardWrites ?? true;
  const ownsClient = options.ownsClient ?? true;
  // defineCommand sends EVALSHA, and the script text once per connection (also after a restart;
  // on a cluster, once per node).
  const scripts = { cgGetOrLease: getOrLeaseLua, cgSetLeased: setLeasedLua, cgGetVersioned: getVersionedLua, cgSetVersioned: setVersionedLua, cgInvalidate: invalidateLua, cgRaise: raiseLua };
  const define = (target: RedisConnection) => Object.entries(scripts).forEach(([name, lua]) => target.defineCommand(name, { lua }));
  define(connection);
  if (isCluster(connection)) {
    // Also on every node's own connection: a single command is sent there directly (redis-routing.ts).
    connection.nodes("all").forEach(define);
    connection.on("+node", define);
  }
  let roundTrips = 0;

  // One fan-out: one round trip of latency (two when a slot moved under it).
  async function run(commands: RoutedCommand[]): Promise<unknown[]> {
    if (commands.length === 0) return [];
    const { replies, roundTrips: made } = await fanOut(connection, commands);
    roundTrips += made;
    return replies;
  }

  const script = (name: string, keys: string[], args: (string | number)[]): RoutedCommand => ({ key: keys[0], name, args: [keys.length, ...keys, ...args] });
  const command = (name: string, key: string, ...args: (string | number)[]): RoutedCommand => ({ key, name, args: [key, ...args] });

  // A batch of keys as one command per slot, replies spread back to the keys' positions.
  async function perSlot<T, R>(items: readonly T[], keyOf: (item: T) => string, build: (group: T[], g: number) => RoutedCommand, spread: (reply: unknown, group: T[]) => R[]): Promise<Map<T, R>> {
    const groups = slotGroups(connection, items, keyOf);
    const replies = await run(groups.map(build));
    const out = new Map<T, R>();
    groups.forEach((group, g) => spread(replies[g], group).forEach((value, j) => out.set(group[j], value)));
    return out;
  }

  async function mget(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const indexes = keys.map((_, i) => i);
    const values = await perSlot(indexes, (i) => keys[i], (group) => ({ key: keys[group[0]], name: "mget", args: group.map((i) => keys[i]) }), (reply) => reply as (string | null)[]);
    return indexes.map((i) => values.get(i) ?? null);
  }

  return {
    name: "redis",
    get roundTrips() {
      return roundTrips;
    },

    mget,

    async mgetInOrder(groups) {
      const reading = groups.filter((group) => group.length > 0);
      if (reading.length === 0) return groups.map(() => []);
      let values: (string | null)[][] = [];
      if (isCluster(connection)) {
        // Keys on several nodes: nothing keeps an order across them, so each group is read once the one before has answered.
        for (const group of reading) values.push(await mget(group));
      } else {
        // One pipeline on one connection: Redis runs its commands in order, nothing between them reordered.
        values = (await run(reading.map((group) => ({ key: group[0], name: "mget", args: group })))) as (string | null)[][];
      }
      let next = 0;
      return groups.map((group) => (group.length > 0 ? values[next++] : []));
    },

    async getOrLease(keys, leaseTtlMs, extraKeys = []) {
      if (keys.length + extraKeys.length === 0) return { reads: [], extra: [] };
      const ttlMs = leaseTtlMsOf(leaseTtlMs);
      const base = newTokenBase();
      // Per slot: one script for its value keys (and their leases) and the extra keys of that slot;
      // extra keys alone in a slot: one MGET. On one Redis: one script for everything, as always.
      const items = [...keys.map((key, i) => ({ key, i, extra: false })), ...extraKeys.map((key, i) => ({ key, i, extra: true }))];
      const groups = slotGroups(connection, items, (item) => item.key);
      const replies = await run(
        groups.map((group, g) => {
          const values = group.filter((item) => !item.extra).map((item) => item.key);
          const extras = group.filter((item) => item.extra).map((item) => item.key);
          if (values.length === 0) return { key: extras[0], name: "mget", args: extras };
          return script("cgGetOrLease", [...values, ...values.map(leaseKeyOf), ...extras], [values.length, ttlMs, `${base}.${g}`]);
        }),
      );
      const reads: LeaseRead[] = new Array(keys.length);
      const extra: (string | null)[] = new Array(extraKeys.length).fill(null);
      groups.forEach((group, g) => {
        const reply = replies[g] as (string | null)[];
        const values = group.filter((item) => !item.extra);
        const extras = group.filter((item) => item.extra);
        if (values.length === 0) return extras.forEach((item, j) => (extra[item.i] = reply[j] ?? null));
        values.forEach((item, j) => (reads[item.i] = leaseReadOf(reply[2 * j], reply[2 * j + 1])));
        extras.forEach((item, j) => (extra[item.i] = reply[2 * values.length + j] ?? null));
      });
      return { reads, extra };
    },

    async lease(keys, leaseTtlMs) {
      if (keys.length === 0) return [];
      const ttlMs = leaseTtlMsOf(leaseTtlMs);
      const base = newTokenBase();
      const replies = await run(keys.map((key, i) => command("set", leaseKeyOf(key), `${base}.${i + 1}`, "PX", ttlMs, "NX")));
      return keys.map((_, i) => (replies[i] === "OK" ? `${base}.${i + 1}` : null));
    },

    async setLeased(entries) {
      if (entries.length === 0) return [];
      const ttlsMs = entries.map((e) => ttlMsOf(e.ttlSeconds, e.key));
      if (!guardWrites) {
        await run(entries.flatMap((e, i) => [command("set", e.key, e.value, "PX", ttlsMs[i]), command("del", leaseKeyOf(e.key))]));
        return entries.map(() => true);
      }
      const indexes = entries.map((_, i) => i);
      const stored = await perSlot(
        indexes,
        (i) => entries[i].key,
        (group) => {
          const slotEntries: LeasedEntry[] = group.map((i) => entries[i]);
          const keys = [...slotEntries.map((e) => e.key), ...slotEntries.map((e) => leaseKeyOf(e.key))];
          return script("cgSetLeased", keys, group.flatMap((i) => [entries[i].value, ttlsMs[i], entries[i].token]));
        },
        (reply) => (reply as number[]).map((flag) => flag === 1),
      );
      return indexes.map((i) => stored.get(i) ?? false);
    },

    async set(entries: StoreEntry[]) {
      if (entries.length === 0) return;
      const ttlsMs = entries.map((e) => ttlMsOf(e.ttlSeconds, e.key));
      // Lease first, then value: a fill racing this write either finds no lease (rejected) or
      // is granted a new one after the commit, so it reads the committed row. Both go to one
      // node in one pipeline, in this order.
      await run(entries.flatMap((e, i) => [command("del", leaseKeyOf(e.key)), command("set", e.key, e.value, "PX", ttlsMs[i])]));
    },

    async setVersioned(entry) {
      const ttlMs = ttlMsOf(entry.ttlSeconds, entry.key);
      const encoded = encodeVersioned(entry.versions, entry.value, entry.epochs);
      if (entry.stampKey) await run([script("cgSetVersioned", [entry.key, entry.stampKey], [encoded, ttlMs])]);
      else await run([command("set", entry.key, encoded, "PX", ttlMs)]);
    },

    async getVersioned(key, stampKey) {
      const [value] = await run([script("cgGetVersioned", stampKey ? [key, stampKey] : [key], [])]);
      return (value as string | null) ?? null;
    },

    async readVersioned(key, stampKey) {
      const [reply] = await run([script("cgGetVersioned", [key, stampKey], ["state"])]);
      if (!Array.isArray(reply)) return null;
      const [raw, now, stamped, vector] = reply as [string, string, number, string];
      return { raw, epochsNow: now === "" ? [] : now.split(" "), stamped: stamped === 1, versionsNow: vector === "" ? [] : vector.split(" ") };
    },

    async del(keys) {
      if (keys.length === 0) return;
      // One DEL per slot is atomic over its keys, so a value and its lease go together.
      const groups = slotGroups(connection, keys, (key) => key);
      await run(groups.map((group) => ({ key: group[0], name: "del", args: [...group, ...group.map(leaseKeyOf)] })));
    },

    async invalidate(del, incr, after = []) {
      if (del.length + incr.length + after.length === 0) return;
      const step = (deleted: string[], moved: string[]) => {
        const items = [...deleted.map((key) => ({ key, del: true })), ...moved.map((key) => ({ key, del: false }))];
        return slotGroups(connection, items, (item) => item.key).map((group) => {
          const doomed = group.filter((item) => item.del).flatMap((item) => [item.key, leaseKeyOf(item.key)]);
          return script("cgInvalidate", [...doomed, ...group.filter((item) => !item.del).map((item) => item.key)], [doomed.length]);
        });
      };
      // One Redis: one script, in order, all or nothing (so a lost reply cannot split it). A
      // cluster: the DELs and generations on every node, then, once all are in, the version counters.
      if (!isCluster(connection)) return void (await run(step(del, [...incr, ...after])));
      await run(step(del, incr));
      await run(step([], after));
    },

    async raise(keys, value) {
      if (keys.length === 0) return;
      const checked = raisedValueOf(value);
      // The marks share one hash tag (keys.ts): one script; per slot if a caller passes others.
      await run(slotGroups(connection, keys, (key) => key).map((group) => script("cgRaise", group, [checked])));
    },

    async incr(keys) {
      if (keys.length === 0) return [];
      // Counters carry no TTL. Run Redis with a volatile-* maxmemory-policy (or noeviction): under
      // allkeys-*, an evicted counter restarts at 1 and may match the stamp of a retired entry.
      return (await run(keys.map((key) => command("incr", key)))) as number[];
    },

    async ttl(key) {
      const [seconds] = await run([command("ttl", key)]);
      return seconds as number;
    },

    async info() {
      // Per master (no key routes them): INFO memory and DBSIZE, summed over a cluster.
      roundTrips += 1;
      const answers = await Promise.all(mastersOf(connection).map((node) => node.pipeline().info("memory").dbsize().exec()));
      let usedMemoryBytes: number | null = 0;
      let keyCount: number | null = 0;
      for (const [[, memory], [, count]] of answers.map((results) => results ?? [[null, null], [null, null]])) {
        const used = /^used_memory:(\d+)/m.exec(String(memory));
        usedMemoryBytes = used && usedMemoryBytes !== null ? usedMemoryBytes + Number(used[1]) : null;
        keyCount = typeof count === "number" && keyCount !== null ? keyCount + count : null;
      }
      return { usedMemoryBytes, keyCount };
    },

    async ping() {
      roundTrips += 1;
      try {
        // Every master must answer: a cluster missing one cannot serve that master's slots.
        const masters = mastersOf(connection);
        if (masters.length === 0) return false;
        const answers = await Promise.all(masters.map((node) => node.ping()));
        return answers.every((answer) => answer === "PONG");
      } catch {
        return false;
      }
    },

    async close() {
      if (!ownsClient) return;
      // QUIT lets replies in flight arrive; a cluster with a dead node may never answer it, so it
      // is bounded, and the connection (with a cluster's slot refresh timer) is dropped after it.
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise((resolve) => (timer = setTimeout(resolve, 1000)));
      await Promise.race([connection.quit().catch(() => undefined), bounded]);
      clearTimeout(timer);
      connection.disconnect();
    },
  };
}

function leaseReadOf(kind: string | null, value: string | null): LeaseRead {
  if (kind === "hit" && value !== null) return { kind: "hit", value };
  if (kind === "lease" && value !== null) return { kind: "lease", token: value };
  return { kind: "busy" };
}
