import { startApolloMemory } from "./apollo-memory";
import { startApolloResponseCache } from "./apollo-response-cache";
import { startApolloUncached } from "./apollo-uncached";
import { startFixedBody } from "./fixed-body";
import type { PeerSettings, RunningPeer } from "./peer-settings";
import { startYogaResponseCache } from "./yoga-response-cache";

/** The peers of the bench by name, in the order of its table's columns. */
export const peers = {
  "apollo-response-cache": startApolloResponseCache,
  "yoga-envelop": startYogaResponseCache,
  "apollo-uncached": startApolloUncached,
  "apollo-memory": startApolloMemory,
  "fixed-body": startFixedBody,
} satisfies Record<string, (settings: PeerSettings) => Promise<RunningPeer>>;

/** A peer's name. */
export type PeerName = keyof typeof peers;

/** Whether `name` names a peer. */
export const isPeerName = (name: string): name is PeerName => name in peers;
