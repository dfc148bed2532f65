import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

/** Every page lives under this path; the gateway answers any of them with index.html. */
export const basePath = "/storefront";

/** A page of the app, parsed from the URL. */
export type Route =
  | { page: "home" }
  | { page: "category"; slug: string }
  | { page: "search"; query: string; params: URLSearchParams }
  | { page: "product"; sku: string }
  | { page: "cache" }
  | { page: "not-found"; path: string };

/** The route of a location (pathname and search). */
export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  const parts = rest.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "home" };
  if (parts[0] === "category" && parts.length === 2) return { page: "category", slug: parts[1] };
  if (parts[0] === "product" && parts.length === 2) return { page: "product", sku: parts[1] };
  if (parts[0] === "search" && parts.length === 1) {
    const params = new URLSearchParams(search);
    return { page: "search", query: params.get("q") ?? "", params };
  }
  if (parts[0] === "cache" && parts.length === 1) return { page: "cache" };
  return { page: "not-found", path: pathname };
}

/** The app URL of a route. */
export const href = {
  home: () => `${basePath}/`,
  category: (slug: string) => `${basePath}/category/${encodeURIComponent(slug)}`,
  product: (sku: string) => `${basePath}/product/${encodeURIComponent(sku)}`,
  search: (query: string, refine: Record<string, string> = {}) => `${basePath}/search?${new URLSearchParams({ q: query, ...refine })}`,
  cache: () => `${basePath}/cache`,
};

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((listener) => listener()));

/** Goes to `url` without reloading (history.pushState). */
export function navigate(url: string): void {
  window.history.pushState(null, "", url);
  window.scrollTo(0, 0);
  listeners.forEach((listener) => listener());
}

/** The current route; re-renders on navigation and on back/forward. */
export function useRoute(): Route {
  const location = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    () => window.location.pathname + window.location.search,
  );
  const url = new URL(location, window.location.origin);
  return parseRoute(url.pathname, url.search);
}

/** An <a> that navigates in the app (a modified click still opens a new tab). */
export function Link({ to, onClick, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...props} />;
}
