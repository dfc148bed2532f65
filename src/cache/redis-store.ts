import type { Redis } from "ioredis";
import {
  encodeVersioned,
  leaseKeyOf,
  leaseTtlMsOf,
  newTokenBase,
  ttlMsOf,
  type CacheStore,
  type LeaseRead,
  type LeasedEntry,
  type StoreEntry,
  type StoreOptions,
} from "./store";

/**
 * The shared store: Redis, through a connection from `redis-client.ts`. Each call is one command,
 * one Lua script or one pipeline; no KEYS or SCAN anywhere. Lease checks run inside Lua scripts
 * because the check and the write must be one atomic step: between a separate GET of the lease and
 * a SET, another instance's `del` could land, and the stale fill would survive it.
 */

export interface RedisStoreOptions extends StoreOptions {
  /** `close()` also closes the connection. Default true; false when the connection is shared. */
  ownsClient?: boolean;
}

// KEYS: n value keys, their n lease keys, then the extra keys. ARGV: n, leaseTtlMs, token base.
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

// KEYS: the entry. Replies its value if every counter its vector names holds the named value (an
// absent counter holds "0"), else nil. The counters are read by name, not declared in KEYS: the
// vector is only known once the entry is read, and they share its hash tag (`{resp}`), so in a
// Redis Cluster they live in its slot. The work is one GET and one MGET of the vector's length.
const getVersionedLua = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local cut = string.find(raw, '\\n', 1, true)
if not cut then return false end
local vector = cjson.decode(string.sub(raw, 1, cut - 1))
local n = #vector
if n > 0 then
  local names = {}
  for i = 1, n do names[i] = vector[i][1] end
  local current = redis.call('MGET', unpack(names))
  for i = 1, n do
    if (current[i] or '0') ~= vector[i][2] then return false end
  end
end
return string.sub(raw, cut + 1)
`;

interface LeaseCommands {
  cgGetOrLease(numKeys: number, ...args: (string | number)[]): Promise<(string | null)[]>;
  cgSetLeased(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  cgGetVersioned(numKeys: number, key: string): Promise<string | null>;
}

/** A CacheStore on `client` (guardWrites default true, ownsClient default true). */
export function createRedisStore(client: Redis, options: RedisStoreOptions = {}): CacheStore {
  const guardWrites = options.guardWrites ?? true;
  const ownsClient = options.ownsClient ?? true;
  // defineCommand sends EVALSHA, and the script text once per connection (also after a restart).
  client.defineCommand("cgGetOrLease", { lua: getOrLeaseLua });
  client.defineCommand("cgSetLeased", { lua: setLeasedLua });
  client.defineCommand("cgGetVersioned", { lua: getVersionedLua });
  const scripts = client as unknown as LeaseCommands;
  let roundTrips = 0;

  async function execPipeline(pipeline: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
    roundTrips += 1;
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  return {
    name: "redis",
    get roundTrips() {
      return roundTrips;
    },

    async mget(keys) {
      if (keys.length === 0) return [];
      roundTrips += 1;
      return client.mget(keys);
    },

    async getOrLease(keys, leaseTtlMs, extraKeys = []) {
      if (keys.length + extraKeys.length === 0) return { reads: [], extra: [] };
      const ttlMs = leaseTtlMsOf(leaseTtlMs);
      const allKeys = [...keys, ...keys.map(leaseKeyOf), ...extraKeys];
      roundTrips += 1;
      const reply = await scripts.cgGetOrLease(allKeys.length, ...allKeys, keys.length, ttlMs, newTokenBase());
      const reads = keys.map((_, i): LeaseRead => {
        const kind = reply[2 * i];
        const value = reply[2 * i + 1];
        if (kind === "hit" && value !== null) return { kind: "hit", value };
        if (kind === "lease" && value !== null) return { kind: "lease", token: value };
        return { kind: "busy" };
      });
      const extra = extraKeys.map((_, j) => reply[2 * keys.length + j] ?? null);
      return { reads, extra };
    },

    async lease(keys, leaseTtlMs) {
      if (keys.length === 0) return [];
      const ttlMs = leaseTtlMsOf(leaseTtlMs);
      const base = newTokenBase();
      const pipeline = client.pipeline();
      keys.forEach((key, i) => pipeline.set(leaseKeyOf(key), `${base}.${i + 1}`, "PX", ttlMs, "NX"));
      const replies = await execPipeline(pipeline);
      return keys.map((_, i) => (replies[i] === "OK" ? `${base}.${i + 1}` : null));
    },

    async setLeased(entries) {
      if (entries.length === 0) return [];
      const ttlsMs = entries.map((e) => ttlMsOf(e.ttlSeconds, e.key));
      if (!guardWrites) {
        const pipeline = client.pipeline();
        entries.forEach((e, i) => pipeline.set(e.key, e.value, "PX", ttlsMs[i]).del(leaseKeyOf(e.key)));
        await execPipeline(pipeline);
        return entries.map(() => true);
      }
      const keys = [...entries.map((e) => e.key), ...entries.map((e) => leaseKeyOf(e.key))];
      const args = entries.flatMap((e: LeasedEntry, i) => [e.value, ttlsMs[i], e.token]);
      roundTrips += 1;
      const stored = await scripts.cgSetLeased(keys.length, ...keys, ...args);
      return stored.map((flag) => flag === 1);
    },

    async set(entries: StoreEntry[]) {
      if (entries.length === 0) return;
      const ttlsMs = entries.map((e) => ttlMsOf(e.ttlSeconds, e.key));
      // Lease first, then value: a fill racing this write either finds no lease (rejected) or
      // is granted a new one after the commit, so it reads the committed row.
      const pipeline = client.pipeline();
      entries.forEach((e, i) => pipeline.del(leaseKeyOf(e.key)).set(e.key, e.value, "PX", ttlsMs[i]));
      await execPipeline(pipeline);
    },

    async setVersioned(entry) {
      const ttlMs = ttlMsOf(entry.ttlSeconds, entry.key);
      roundTrips += 1;
      await client.set(entry.key, encodeVersioned(entry.versions, entry.value), "PX", ttlMs);
    },

    async getVersioned(key) {
      roundTrips += 1;
      return scripts.cgGetVersioned(1, key);
    },

    async del(keys) {
      if (keys.length === 0) return;
      roundTrips += 1;
      // One DEL is atomic over all its keys, so value and lease go together without a script.
      await client.del(...keys, ...keys.map(leaseKeyOf));
    },

    async invalidate(del, incr) {
      if (del.length + incr.length === 0) return;
      // MULTI/EXEC: applied all or nothing, in this order, even when the reply is lost.
      const transaction = client.multi();
      if (del.length) transaction.del(...del, ...del.map(leaseKeyOf));
      for (const key of incr) transaction.incr(key);
      roundTrips += 1;
      const results = (await transaction.exec()) ?? [];
      for (const [error] of results) if (error) throw error;
    },

    async incr(keys) {
      if (keys.length === 0) return [];
      // Counters carry no TTL. Run Redis with a volatile-* maxmemory-policy (or noeviction): under
      // allkeys-*, an evicted counter restarts at 1 and may match the stamp of a retired entry.
      const pipeline = client.pipeline();
      keys.forEach((key) => pipeline.incr(key));
      return (await execPipeline(pipeline)) as number[];
    },

    async ttl(key) {
      roundTrips += 1;
      return client.ttl(key);
    },

    async info() {
      const [memory, keyCount] = await execPipeline(client.pipeline().info("memory").dbsize());
      const used = /^used_memory:(\d+)/m.exec(String(memory));
      return { usedMemoryBytes: used ? Number(used[1]) : null, keyCount: typeof keyCount === "number" ? keyCount : null };
    },

    async ping() {
      roundTrips += 1;
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },

    async close() {
      if (!ownsClient) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
