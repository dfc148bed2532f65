import { startApollo } from "./apollo";
import { createMemorySource } from "./memory-source";
import type { PeerSettings, RunningPeer } from "./peer-settings";

/**
 * Apollo Server 5 answering from the catalog loaded into memory at start: no I/O on a read. The
 * execution reference: what executing the schema costs here with nothing to wait for.
 */
export async function startApolloMemory(settings: PeerSettings): Promise<RunningPeer> {
  return startApollo(await createMemorySource(settings.databaseUrl), settings.port);
}
