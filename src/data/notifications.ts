import { Client, type ClientConfig } from "pg";

/**
 * PostgreSQL LISTEN on a connection of its own (a pooled one would be handed to other queries),
 * with a heartbeat: a connection that drops, or stops answering (packets dropped on the way), is
 * noticed within `heartbeatMs` + `heartbeatTimeoutMs`, reported unhealthy, and replaced with
 * backoff. Healthy means: a NOTIFY sent now would reach this process.
 */
export interface NotificationListener {
  readonly healthy: boolean;
  /** The listening connection's backend pid (null while disconnected), so a sender can tell it from others. */
  readonly backendPid: number | null;
  close(): Promise<void>;
}

export interface ListenOptions {
  channel: string;
  /** application_name of the connection: `pg_stat_activity` then shows who listens. */
  applicationName: string;
  /** Between heartbeats, ms. Default 1000. */
  heartbeatMs?: number;
  /** A heartbeat without an answer after this long marks the connection dead, ms. Default 1000. */
  heartbeatTimeoutMs?: number;
  onNotify(payload: string): void;
  /** Told when the listener becomes healthy or unhealthy (with why). */
  onHealth(healthy: boolean, reason?: string): void;
}

/** Starts listening on `connection` (a PostgreSQL URL or client config); resolves once the first attempt settled (healthy or not). */
export async function listenForNotifications(connection: string | ClientConfig, options: ListenOptions): Promise<NotificationListener> {
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 1000;
  let client: Client | null = null;
  let healthy = false;
  let backendPid: number | null = null;
  let closed = false;
  let attempt = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;

  const setHealth = (next: boolean, reason?: string) => {
    if (next === healthy) return;
    healthy = next;
    options.onHealth(next, reason);
  };

  function drop(reason: string) {
    clearInterval(heartbeat);
    const dead = client;
    client = null;
    backendPid = null;
    dead?.removeAllListeners();
    dead?.on("error", () => undefined);
    void dead?.end().catch(() => undefined);
    setHealth(false, reason);
    if (!closed) {
      const delayMs = Math.min(5000, 100 * 2 ** attempt);
      attempt += 1;
      retry = setTimeout(() => void connect(), delayMs);
      retry.unref();
    }
  }

  async function connect(): Promise<void> {
    const next = new Client(
      typeof connection === "string"
        ? { connectionString: connection, application_name: options.applicationName, connectionTimeoutMillis: heartbeatTimeoutMs * 2 }
        : { ...connection, application_name: options.applicationName },
    );
    next.on("error", (error) => client === next && drop(error.message));
    next.on("end", () => client === next && drop("the connection ended"));
    next.on("notification", (message) => message.channel === options.channel && options.onNotify(message.payload ?? ""));
    try {
      await next.connect();
      await next.query(`LISTEN "${options.channel.replace(/"/g, '""')}"`);
      const [row] = (await next.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
      if (closed) return void (await next.end());
      client = next;
      backendPid = row.pid;
      attempt = 0;
      heartbeat = setInterval(() => void beat(next), heartbeatMs);
      heartbeat.unref();
      setHealth(true);
    } catch (error) {
      await next.end().catch(() => undefined);
      if (client === null) {
        client = next; // so `drop` ends and replaces it
        drop((error as Error).message);
      }
    }
  }

  async function beat(current: Client) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to a heartbeat within ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs);
    });
    try {
      await Promise.race([current.query("SELECT 1"), timeout]);
    } catch (error) {
      if (client === current) drop((error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  await connect();
  return {
    get healthy() {
      return healthy;
    },
    get backendPid() {
      return backendPid;
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
