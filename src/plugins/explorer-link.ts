import type { ApolloServerPlugin } from "@apollo/server";

/** Where the gateway serves the bundled GraphiQL (src/http-routes.ts `explorerRoutes`). */
export const EXPLORER_PATH = "/graphiql";

/**
 * Apollo's landing page with a way out when it cannot load: Sandbox's script comes from Apollo's
 * CDN, and offline (a plane, a proxy that blocks it) the page shows only "cannot be loaded". This
 * wraps the landing page plugin and adds a link to the bundled GraphiQL at `EXPLORER_PATH` under
 * that message, and a small corner link while the page loads. Apollo offers no footer or custom
 * HTML for the embedded Sandbox, hence the wrapper.
 */
export function explorerLinkPlugin(landingPage: ApolloServerPlugin): ApolloServerPlugin {
  return {
    async serverWillStart(service) {
      const listener = await landingPage.serverWillStart?.(service);
      if (!listener?.renderLandingPage) return listener;
      const render = listener.renderLandingPage.bind(listener);
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          return { html: async () => withExplorerLink(typeof page.html === "string" ? page.html : await page.html()) };
        },
      };
    },
  };
}

const OFFLINE_NOTE = /(cannot be loaded; it appears that you might be offline\.<\/p>)/g;
const LINK = `<p>The gateway bundles GraphiQL, which works offline: <a href="${EXPLORER_PATH}">open ${EXPLORER_PATH}</a>.</p>`;
const CORNER = `<a class="cg-explorer-link" href="${EXPLORER_PATH}">Offline? Open GraphiQL</a>`;
// The page's Content-Security-Policy admits only styles that carry its nonce. Sandbox's frame
// holder covers the page even when empty (offline), which would hide the note's link from clicks.
const STYLE = `#embeddableSandbox:empty { display: none; }
  .cg-explorer-link { position: fixed; right: 12px; bottom: 8px; z-index: 2147483647; padding: 2px 6px; background: #fff; color: #555; font: 12px sans-serif; }`;

function withExplorerLink(html: string): string {
  const nonce = /nonce="?([^"\s>]+)/.exec(html)?.[1];
  const style = `<style${nonce ? ` nonce="${nonce}"` : ""}>\n  ${STYLE}\n</style>`;
  return html.replace(OFFLINE_NOTE, `$1${LINK}`).replace("</body>", `${style}${CORNER}</body>`);
}
