import { Fragment, useEffect, useState, type ReactNode } from "react";

/** What a page of a paged list is told: its cursor, whether it is the last one loaded, and how to load the next. */
export interface PageProps {
  after: string | null;
  index: number;
  isLast: boolean;
  loadMore: (endCursor: string) => void;
}

/**
 * Cursor pagination with "load more": each loaded page is its own query (so every page stays live
 * and shows a write on its next request); `resetKey` (the filters) starts again from the first page.
 */
export function PagedList({ resetKey, renderPage }: { resetKey: string; renderPage: (page: PageProps) => ReactNode }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => setCursors([null]), [resetKey]);
  const loadMore = (endCursor: string) => setCursors((loaded) => (loaded.includes(endCursor) ? loaded : [...loaded, endCursor]));
  return <>{cursors.map((after, index) => <Fragment key={`${resetKey}:${after ?? ""}`}>{renderPage({ after, index, isLast: index === cursors.length - 1, loadMore })}</Fragment>)}</>;
}

/** The "load more" button under the last page. */
export function LoadMore({ hasNextPage, endCursor, isLast, loadMore, fetching }: { hasNextPage: boolean; endCursor: string | null | undefined; isLast: boolean; loadMore: (cursor: string) => void; fetching: boolean }) {
  if (!isLast || !hasNextPage || !endCursor) return null;
  return (
    <li className="more">
      <button type="button" onClick={() => loadMore(endCursor)} disabled={fetching}>
        {fetching ? "Loading…" : "Load more"}
      </button>
    </li>
  );
}
