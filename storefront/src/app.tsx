import { useEffect, useMemo, useRef, useState } from "react";
import { Provider } from "urql";
import { activeToken, createClient, describeToken } from "./client";
import { Empty } from "./components/feedback";
import { SearchBox } from "./components/search-box";
import { TokenPanel } from "./components/token-panel";
import { CachePage } from "./pages/cache";
import { CategoryPage } from "./pages/category";
import { HomePage } from "./pages/home";
import { ProductPage } from "./pages/product";
import { SearchPage } from "./pages/search";
import { href, Link, useRoute, type Route } from "./router";

/** The storefront: a header (search, editor, cache), then the page the URL names. */
export function App() {
  const client = useMemo(createClient, []);
  const route = useRoute();
  const [editorOpen, setEditorOpen] = useState(false);
  const token = activeToken.use();
  const main = useRef<HTMLElement>(null);

  // After a navigation, focus goes to the page, so a keyboard or screen-reader user starts there.
  useEffect(() => main.current?.focus({ preventScroll: true }), [route.page, pageKey(route)]);
  useEffect(() => {
    document.title = `${titleOf(route)} · Catalog Gateway storefront`;
  }, [route]);

  return (
    <Provider value={client}>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="top">
        <Link to={href.home()} className="brand">
          Catalog Gateway
        </Link>
        <SearchBox initial={route.page === "search" ? route.query : ""} />
        <nav aria-label="Tools" className="tools">
          <Link to={href.cache()}>Cache</Link>
          <button type="button" aria-expanded={editorOpen} aria-controls="editor-panel" onClick={() => setEditorOpen(!editorOpen)}>
            {token ? `Editor: ${describeToken(token).roles.join(", ") || "no roles"}` : "Editor"}
          </button>
        </nav>
      </header>
      {editorOpen && (
        <div id="editor-panel">
          <TokenPanel onClose={() => setEditorOpen(false)} />
        </div>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "category":
      return <CategoryPage slug={route.slug} />;
    case "search":
      return <SearchPage query={route.query} params={route.params} />;
    case "product":
      return <ProductPage sku={route.sku} />;
    case "cache":
      return <CachePage />;
    case "not-found":
      return <Empty>Nothing lives at {route.path}.</Empty>;
    default: {
      const never: never = route;
      return never;
    }
  }
}

function pageKey(route: Route): string {
  return JSON.stringify(route, (_key, value) => (value instanceof URLSearchParams ? value.toString() : value));
}

function titleOf(route: Route): string {
  switch (route.page) {
    case "home":
      return "Categories";
    case "category":
      return route.slug;
    case "search":
      return `Search: ${route.query}`;
    case "product":
      return `SKU ${route.sku}`;
    case "cache":
      return "Cache";
    case "not-found":
      return "Not found";
    default: {
      const never: never = route;
      return never;
    }
  }
}
