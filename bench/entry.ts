/**
 * `npm run bench`: the cache against no cache (bench/run.ts); with `--peers`, the gateway beside
 * its peers, Apollo Server's and GraphQL Yoga's response caches among them (bench/peers.ts, also
 * `npm run bench:peers`), given the other flags. See bench/README.md.
 */
if (process.argv.includes("--peers")) {
  process.argv = process.argv.filter((arg) => arg !== "--peers");
  require("./peers");
} else {
  require("./run");
}
