import type { RedisConnection } from "../cache/redis-client";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ErrorCode, rateLimitedMessage } from "../errors";

/**
 * Rate limits of the public edge, with rate-limiter-flexible: fixed windows counted in the shared
 * Redis (so every instance spends one budget), each with an in-process insurance limiter that
 * takes over while Redis does not answer (each instance then counts alone, so a caller may get up
 * to N times its budget from N instances until Redis is back).
 *
 * Budgets are charged by cost, not by request: an accepted operation spends its estimated cost
 * (src/edge/operation-cost.ts), a request refused before its cost is known spends 1, and a cached
 * answer spends the cost remembered with it. An operation that costs more than a whole budget
 * spends the whole budget (it passes once per window, when the budget is untouched).
 *
 * Charges are batched per caller: small costs add up in process and go to Redis once they reach
 * `batchFraction` of the budget, or every `flushIntervalMs`, so a hot cached answer does not pay a
 * Redis round trip per request. The price is a bounded overshoot: each instance may let a caller
 * spend up to one batch more than the budget before the shared count refuses it. A budget of 100
 * points or fewer is charged exactly (a batch of 1). A refused caller is then refused from memory
 * until its window ends.
 */

/** The budgets: `ip` (anonymous callers), `subject` (a verified token's subject), `writes` (mutations), `failed-auth` (requests with a bad token, per IP). */
export type Budget = "ip" | "subject" | "writes" | "failed-auth";

/** One budget: `points` per `windowSeconds`. */
export interface BudgetOptions {
  points: number;
  windowSeconds: number;
}

/** Every budget's size (RATE_LIMIT_* settings). */
export interface RateLimitOptions {
  /** Cost an anonymous client IP may spend per window. Default 1000000 per 60 s (about 60 three-level category trees at about 17,000 each, or thousands of category pages). */
  ip: BudgetOptions;
  /** Cost a token subject may spend per window. Default 5000000 per 60 s. */
  subject: BudgetOptions;
  /** Mutations (counted, 1 each) per caller (subject, else IP) per window. Default 300 per 60 s. */
  writes: BudgetOptions;
  /** Requests with a bad token per IP per window. Default 30 per 300 s. */
  failedAuth: BudgetOptions;
  /** Fraction of a budget a caller's charges may add up to in process before they are sent. Default 0.01. */
  batchFraction?: number;
  /** Charges still in process are sent after at most this long, ms. Default 100. */
  flushIntervalMs?: number;
}

/** Defaults of `RateLimitOptions`. */
export const defaultRateLimitOptions: RateLimitOptions = {
  ip: { points: 1_000_000, windowSeconds: 60 },
  subject: { points: 5_000_000, windowSeconds: 60 },
  writes: { points: 300, windowSeconds: 60 },
  failedAuth: { points: 30, windowSeconds: 300 },
};

/** Who a request is charged to. */
export interface Caller {
  /** The client's address (src/edge/rate-limit-address.ts). */
  ip: string;
  /** A verified token's subject, null for anonymous callers and bad tokens. */
  subject: string | null;
  /** The request carried a token that was refused. */
  failedAuth: boolean;
  /** The operation is a mutation. */
  write: boolean;
}

/** A spent budget: which, and in how many whole seconds it has room again. */
export interface RateLimitRefusal {
  budget: Budget;
  retryAfterSeconds: number;
}

export interface RateLimits {
  /** Spends `cost` of the caller's budgets; the refusal with the longest wait when one is spent, else null. At most one Redis round trip per budget charged, in parallel. */
  charge(caller: Caller, cost: number): Promise<RateLimitRefusal | null>;
  /** Sends the charges still in process and stops the flush timer. */
  close(): Promise<void>;
}

/**
 * The limits over `redis` (a connection from src/cache/redis-client.ts), or in-process only when
 * null. `keyPrefix` names a budget's keys (CacheKeys.rateLimitPrefix).
 */
export function createRateLimits(redis: RedisConnection | null, options: RateLimitOptions, keyPrefix: (budget: Budget) => string): RateLimits {
  const limiter = (budget: Budget, { points, windowSeconds }: BudgetOptions): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix: keyPrefix(budget) });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: windowSeconds,
      keyPrefix: keyPrefix(budget),
      // A disconnected client goes to the insurance limiter at once instead of failing a command.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
      // A spent key is refused from memory until its window ends: a flood costs Redis nothing.
      inMemoryBlockOnConsumed: points,
    });
  };
  const limiters: Record<Budget, RateLimiterAbstract> = {
    ip: limiter("ip", options.ip),
    subject: limiter("subject", options.subject),
    writes: limiter("writes", options.writes),
    "failed-auth": limiter("failed-auth", options.failedAuth),
  };

  const batchFraction = options.batchFraction ?? 0.01;
  const budgetOf = (id: string) => id.slice(0, id.indexOf("\0")) as Budget;
  const keyOf = (id: string) => id.slice(id.indexOf("\0") + 1);
  /** Charges not sent yet, by `<budget>\0<caller>`. */
  const pending = new Map<string, number>();
  /** Callers refused by the shared count, until their window ends (epoch ms). */
  const blocked = new Map<string, number>();

  async function spend(budget: Budget, key: string, cost: number): Promise<RateLimitRefusal | null> {
    const id = `${budget}\0${key}`;
    const until = blocked.get(id);
    if (until !== undefined) {
      if (until > Date.now()) return { budget, retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
      blocked.delete(id);
    }
    const { points } = limiters[budget];
    const charged = Math.min(points, (pending.get(id) ?? 0) + Math.max(1, Math.ceil(cost)));
    if (charged < Math.max(1, Math.floor(points * batchFraction))) {
      pending.set(id, charged);
      return null;
    }
    pending.delete(id);
    return send(id, charged);
  }

  async function send(id: string, points: number): Promise<RateLimitRefusal | null> {
    const budget = budgetOf(id);
    try {
      await limiters[budget].consume(keyOf(id), points);
      return null;
    } catch (rejection) {
      // Anything but a spent budget (the insurance limiter covers Redis) lets the request through.
      if (!(rejection instanceof RateLimiterRes)) return null;
      blocked.set(id, Date.now() + rejection.msBeforeNext);
      return { budget, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  }

  const flushAll = async () => {
    const now = Date.now();
    for (const [id, until] of blocked) if (until <= now) blocked.delete(id);
    const charges = [...pending];
    pending.clear();
    await Promise.all(charges.map(([id, points]) => send(id, points)));
  };
  const timer = setInterval(() => void flushAll(), options.flushIntervalMs ?? 100);
  timer.unref();

  return {
    async charge(caller, cost) {
      const charges = [caller.subject === null ? spend("ip", caller.ip, cost) : spend("subject", caller.subject, cost)];
      if (caller.failedAuth) charges.push(spend("failed-auth", caller.ip, 1));
      if (caller.write) charges.push(spend("writes", caller.subject ?? caller.ip, 1));
      const refusals = (await Promise.all(charges)).filter((refusal): refusal is RateLimitRefusal => refusal !== null);
      return refusals.reduce<RateLimitRefusal | null>((longest, r) => (longest && longest.retryAfterSeconds >= r.retryAfterSeconds ? longest : r), null);
    },
    async close() {
      clearInterval(timer);
      await flushAll();
    },
  };
}

/** A refusal as the HTTP edge sends it (the shape of src/http-handler.ts's EdgeRefusal): 429 with `Retry-After`. */
export function rateLimitedRefusal(refusal: RateLimitRefusal) {
  return {
    status: 429,
    code: ErrorCode.RATE_LIMITED,
    message: rateLimitedMessage(refusal.budget, refusal.retryAfterSeconds),
    headers: { "retry-after": String(refusal.retryAfterSeconds) },
    extensions: { limit: refusal.budget, retryAfter: refusal.retryAfterSeconds },
  };
}
