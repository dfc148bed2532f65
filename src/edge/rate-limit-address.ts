import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/**
 * The client's address, for the rate limits: the socket's peer, unless that peer is a trusted
 * proxy (TRUSTED_PROXIES), in which case the nearest X-Forwarded-For entry that is not a trusted
 * proxy (proxy-addr, as Express's `trust proxy`). With no trusted proxy, X-Forwarded-For is never
 * read: any client could write it.
 */
export type ClientAddress = (req: IncomingMessage) => string;

/** `trustedProxies`: addresses and CIDRs, or proxy-addr's names (loopback, linklocal, uniquelocal). Default none. */
export function createClientAddress(trustedProxies: string[] = []): ClientAddress {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyAddr.compile(trustedProxies);
  return (req) => proxyAddr(req, trust);
}
