import { useEffect } from "react";
import { useQuery } from "urql";
import { lastRequest, traceRequests } from "../client";
import { ErrorView, Loading } from "../components/feedback";
import { CacheStatsViewDocument, type CacheStatsViewQuery } from "../generated/graphql";

/** How often the counters are read again. */
const refreshMs = 2_000;

type Family = CacheStatsViewQuery["cacheStats"]["families"][number];

/** For admins: `cacheStats` per key family as a table and a chart that refreshes, and the cache trace of the last request. */
export function CachePage() {
  const [{ data, error }, refetch] = useQuery({ query: CacheStatsViewDocument, requestPolicy: "network-only" });
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: "network-only" }), refreshMs);
    return () => clearInterval(timer);
  }, [refetch]);
  const stats = data?.cacheStats;
  return (
    <article className="cache">
      <h1>Cache</h1>
      <ErrorView error={error} />
      {!stats ? (
        <Loading what="cache statistics" />
      ) : (
        <>
          <p>
            Store <strong>{stats.store}</strong> ({stats.available ? "answering" : "not answering"}
            {stats.circuit ? `, circuit ${stats.circuit}` : ""}), {stats.keyCount ?? "?"} keys, {stats.sqlStatements} SQL statements, {stats.storeRoundTrips} store round trips. Refreshes every {refreshMs / 1000} s.
          </p>
          <HitChart families={stats.families} />
          <FamilyTable families={stats.families} />
        </>
      )}
      <LastRequestView />
    </article>
  );
}

function FamilyTable({ families }: { families: Family[] }) {
  return (
    <div className="table-scroll">
      <table className="stats">
        <caption>Counters per key family since this gateway started</caption>
        <thead>
          <tr>
            {["Family", "Hit rate", "Hits", "Misses", "Stale", "Coalesced", "Rejected writes", "Invalidations", "Errors"].map((title) => (
              <th key={title} scope="col">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {families.map((f) => (
            <tr key={f.family}>
              <th scope="row">{f.family}</th>
              <td>{f.hitRate === null ? "–" : `${Math.round(f.hitRate * 100)}%`}</td>
              <td>{f.hits}</td>
              <td>{f.misses}</td>
              <td>{f.stale}</td>
              <td>{f.coalesced}</td>
              <td>{f.rejectedWrites}</td>
              <td>{f.invalidations}</td>
              <td>{f.errors}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Reads per family as stacked bars: hits, stale, misses (an SVG, no chart library). */
function HitChart({ families }: { families: Family[] }) {
  const rows = families.filter((f) => f.hits + f.misses + f.stale > 0);
  if (rows.length === 0) return <p className="empty">No reads yet: browse the store and come back.</p>;
  const rowHeight = 22;
  const labelWidth = 150;
  const width = 600;
  const max = Math.max(...rows.map((f) => f.hits + f.misses + f.stale));
  const scale = (n: number) => ((width - labelWidth - 10) * n) / max;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${rows.length * rowHeight + 4}`} role="img" aria-label="Hits, stale entries and misses per key family">
        {rows.map((f, i) => {
          const y = i * rowHeight + 2;
          const hits = scale(f.hits);
          const stale = scale(f.stale);
          const misses = scale(f.misses);
          return (
            <g key={f.family}>
              <text x={0} y={y + 15} fontSize="12">
                {f.family}
              </text>
              <rect x={labelWidth} y={y} width={hits} height={rowHeight - 6} className="bar-hit" />
              <rect x={labelWidth + hits} y={y} width={stale} height={rowHeight - 6} className="bar-stale" />
              <rect x={labelWidth + hits + stale} y={y} width={misses} height={rowHeight - 6} className="bar-miss" />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="key bar-hit" /> hits <span className="key bar-stale" /> stale <span className="key bar-miss" /> misses
      </figcaption>
    </figure>
  );
}

function LastRequestView() {
  const trace = traceRequests.use();
  const last = lastRequest.use();
  return (
    <section aria-labelledby="trace-title">
      <h2 id="trace-title">Last request</h2>
      <label className="inline">
        <input
          type="checkbox"
          checked={trace}
          onChange={(event) => traceRequests.set(event.target.checked)}
        />{" "}
        Ask for the cache trace (<code>x-cache-trace: 1</code>) on every request (such requests skip the whole-response cache)
      </label>
      {!last ? (
        <p className="empty">No request yet. Open another page and come back.</p>
      ) : (
        <>
          <p>
            <strong>{last.operationName}</strong>: HTTP {last.status} in {last.durationMs} ms
            {last.cache ? `, ${last.cache.roundTrips} store round trips` : trace ? "" : " (no trace asked for)"}.
          </p>
          {last.cache && (
            <table className="stats">
              <caption>Per key family in that request</caption>
              <thead>
                <tr>
                  <th scope="col">Family</th>
                  <th scope="col">Counters</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(last.cache.families).map(([family, counters]) => (
                  <tr key={family}>
                    <th scope="row">{family}</th>
                    <td>{Object.entries(counters).map(([name, n]) => `${name} ${n}`).join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {last.notices.map((notice) => (
            <p key={notice.code} className="notice">
              <strong>{notice.code}</strong>: {notice.message}
            </p>
          ))}
        </>
      )}
    </section>
  );
}
