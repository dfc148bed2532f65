import calculateSlot from "cluster-key-slot";
import type { Cluster, Redis } from "ioredis";
import type { RedisConnection } from "./redis-client";

/**
 * Sends a batch of commands to one Redis or to a Redis Cluster in one round trip of latency.
 *
 * A cluster refuses a command whose keys span slots (CROSSSLOT), and ioredis refuses a pipeline
 * whose commands span nodes. So the store builds one command per slot (slotGroups), and this
 * module sends them as one pipeline per node, all nodes in parallel: a batch of 100 products over
 * 3 masters costs 3 pipelines at once, not 100 round trips. On one Redis every key is in "one
 * slot": one command, sent alone, exactly as before the cluster existed.
 *
 * Redirections: a command answered MOVED or ASK was not run (the slot moved, or is moving, to
 * another node), so it is sent again on its own through the cluster client, which follows the
 * redirection and refreshes its slot map; nothing that may have run is ever sent twice.
 *
 * A single command (every whole-response hit) goes on the connection of the master that serves its
 * slot, not through the cluster client's `sendCommand`, whose routing costs 1-2 µs of CPU per command
 * (bench/README.md, "Redis Cluster against one Redis"); a node that is not connected (or lacks the
 * store's scripts) leaves it to the cluster client, and a redirection is followed as above.
 */

/** One command: its name on the ioredis client (a Redis command or a script from defineCommand) and arguments; `key` routes it. */
export interface RoutedCommand {
  key: string;
  name: string;
  args: (string | number)[];
}

/** Whether `connection` is an ioredis Cluster. */
export function isCluster(connection: RedisConnection): connection is Cluster {
  return (connection as { isCluster?: boolean }).isCluster === true;
}

/** The items grouped so that each group's keys share a slot (one group on one Redis), in first-seen order. */
export function slotGroups<T>(connection: RedisConnection, items: readonly T[], keyOf: (item: T) => string): T[][] {
  if (!isCluster(connection)) return items.length > 0 ? [[...items]] : [];
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = calculateSlot(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/**
 * Sends `commands` (each single-slot) in one fan-out and returns their replies in order; throws the
 * first error. On one Redis they go as one pipeline (one command: alone); on a cluster, one pipeline
 * per node, in parallel. Returns also how many round trips of latency it took (1, or 2 when some
 * commands were redirected and sent again).
 */
export async function fanOut(connection: RedisConnection, commands: readonly RoutedCommand[]): Promise<{ replies: unknown[]; roundTrips: number }> {
  if (commands.length === 0) return { replies: [], roundTrips: 0 };
  if (commands.length === 1) return sendOne(connection, commands[0]);
  const byNode = isCluster(connection) ? nodeGroups(connection, commands) : [commands.map((_, i) => i)];
  const replies: unknown[] = new Array(commands.length);
  const redirected: number[] = [];
  await Promise.all(
    byNode.map(async (indexes) => {
      if (indexes.length === 1) {
        replies[indexes[0]] = await send(connection, commands[indexes[0]]);
        return;
      }
      const pipeline = connection.pipeline();
      for (const i of indexes) queue(pipeline, commands[i]);
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, value], j) => {
        if (error && isRedirection(error)) redirected.push(indexes[j]);
        else if (error) throw error;
        else replies[indexes[j]] = value;
      });
    }),
  );
  if (redirected.length === 0) return { replies, roundTrips: 1 };
  await Promise.all(redirected.map(async (i) => (replies[i] = await send(connection, commands[i]))));
  return { replies, roundTrips: 2 };
}

/** The masters of `connection` (itself on one Redis), for per-node commands such as INFO and PING. */
export function mastersOf(connection: RedisConnection): Redis[] {
  return isCluster(connection) ? connection.nodes("master") : [connection];
}

// One command (a whole-response hit, a lookup): on one Redis, on its connection; on a cluster, on its
// master's own connection when it is connected, else through the client, which routes it and follows
// a redirection. Either way corked for the turn (see corkForTurn).
async function sendOne(connection: RedisConnection, command: RoutedCommand): Promise<{ replies: unknown[]; roundTrips: number }> {
  if (!isCluster(connection)) {
    corkForTurn(connection);
    return { replies: [await send(connection, command)], roundTrips: 1 };
  }
  const node = masterOf(connection, command.key);
  if (!node || typeof (node as unknown as Callable)[command.name] !== "function") return { replies: [await send(connection, command)], roundTrips: 1 };
  try {
    corkForTurn(node);
    return { replies: [await send(node, command)], roundTrips: 1 };
  } catch (error) {
    if (!(error instanceof Error) || !isRedirection(error)) throw error;
    return { replies: [await send(connection, command)], roundTrips: 2 };
  }
}

// The single commands sent on one connection in one turn of the event loop leave in one socket
// write: the socket is corked at the first and uncorked once the turn's I/O callbacks have run
// (setImmediate). Concurrent hits then cost one write syscall between them, and Redis reads them
// in one go: on the bench's hit lines the gateway's CPU per request fell by about a third (one
// Redis 102 -> 72 µs on the hot SKU line, Redis's own 29 -> 13; bench/README.md). Order is kept (one
// stream), and a command waits at most for the rest of its turn. ioredis's auto-pipelining does the
// batching with pipeline objects, at a cost that lost throughput, and refuses scripts on a cluster
// (create-store.ts).
const corked = new WeakSet<Redis>();
function corkForTurn(node: Redis): void {
  const stream = (node as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
  if (!stream || corked.has(node)) return;
  corked.add(node);
  stream.cork();
  setImmediate(() => {
    corked.delete(node);
    stream.uncork();
  });
}

// The connected master that serves `key`'s slot in the client's slot map, or null. The client's
// nodes by address are kept per cluster and read again when an address is missing or its node is
// not ready (a failover, a resharding to a new node).
const nodesByAddress = new WeakMap<Cluster, Map<string, Redis>>();
function masterOf(cluster: Cluster, key: string): Redis | null {
  const address = cluster.slots[calculateSlot(key)]?.[0];
  if (address === undefined) return null;
  let nodes = nodesByAddress.get(cluster);
  let node = nodes?.get(address);
  if (node?.status !== "ready") {
    nodes = new Map(cluster.nodes("all").map((n) => [`${n.options.host}:${n.options.port}`, n]));
    nodesByAddress.set(cluster, nodes);
    node = nodes.get(address);
  }
  return node?.status === "ready" ? node : null;
}

// Indexes of the commands per node, as ioredis groups slots (its slot map: master and replicas).
// A slot the map does not know yet goes alone: the cluster client routes it.
function nodeGroups(cluster: Cluster, commands: readonly RoutedCommand[]): number[][] {
  const groups = new Map<string, number[]>();
  const alone: number[][] = [];
  commands.forEach((command, i) => {
    const node = cluster.slots[calculateSlot(command.key)]?.join(";");
    if (node === undefined) return void alone.push([i]);
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  });
  return [...groups.values(), ...alone];
}

type Callable = Record<string, (...args: (string | number)[]) => unknown>;

function send(connection: RedisConnection, command: RoutedCommand): Promise<unknown> {
  return (connection as unknown as Callable)[command.name](...command.args) as Promise<unknown>;
}

function queue(pipeline: ReturnType<RedisConnection["pipeline"]>, command: RoutedCommand): void {
  (pipeline as unknown as Callable)[command.name](...command.args);
}

function isRedirection(error: Error): boolean {
  return /^(MOVED|ASK) /.test(error.message);
}
