import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { PeerSettings, RunningPeer } from "./peer-settings";

/**
 * Node's http server answering every request with the same body and no work: the ceiling of what
 * HTTP on this machine, with the load generator beside it, can do.
 */
export async function startFixedBody(settings: PeerSettings): Promise<RunningPeer> {
  const body = Buffer.from(settings.fixedBody);
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(settings.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
