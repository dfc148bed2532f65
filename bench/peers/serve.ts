import { isPeerName, peers } from "./index";
import { peerSettingsFrom } from "./peer-settings";

/**
 * Runs one peer as a process of its own: `serve.ts <name>`, settings from the environment
 * (PORT, DATABASE_URL, REDIS_URL, PEER_CACHE_PREFIX, PEER_TTL_SECONDS, PEER_FIXED_BODY). Stops on SIGTERM.
 */
async function main() {
  const name = process.argv[2] ?? "";
  if (!isPeerName(name)) throw new Error(`Unknown peer ${JSON.stringify(name)}; one of ${Object.keys(peers).join(", ")}`);
  const peer = await peers[name](peerSettingsFrom(process.env));
  console.log(`${name} listening on ${peer.url}`);
  process.once("SIGTERM", () => void peer.stop().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
