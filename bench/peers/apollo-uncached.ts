import { startApollo } from "./apollo";
import type { PeerSettings, RunningPeer } from "./peer-settings";
import { createPostgresSource } from "./postgres-source";

/** Apollo Server 5 with DataLoader over PostgreSQL and no cache at all: what every cache is measured against. */
export function startApolloUncached(settings: PeerSettings): Promise<RunningPeer> {
  return startApollo(createPostgresSource(settings.databaseUrl), settings.port);
}
