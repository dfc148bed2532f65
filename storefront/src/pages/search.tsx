import { useQuery } from "urql";
import { Empty, ErrorView, formatPrice, Loading } from "../components/feedback";
import { LoadMore, PagedList } from "../components/paged-list";
import { ProductCard } from "../components/product-card";
import { SearchPageDocument, type ProductFilter, type SearchMode, type SearchPageQuery } from "../generated/graphql";
import { href, Link, navigate } from "../router";

const pageSize = 24;
const modes: SearchMode[] = ["HYBRID", "TEXT", "VECTOR"];

/** Refinements kept in the URL (`?q=...&mode=TEXT&category=<id>&brand=<name>&price=<min>-<max>`), so a refined search is addressable. */
interface Refinements {
  mode: SearchMode;
  categoryId?: string;
  brand?: string;
  price?: string;
}

function refinementsOf(params: URLSearchParams): Refinements {
  const mode = params.get("mode");
  return {
    mode: modes.includes(mode as SearchMode) ? (mode as SearchMode) : "HYBRID",
    categoryId: params.get("category") ?? undefined,
    brand: params.get("brand") ?? undefined,
    price: params.get("price") ?? undefined,
  };
}

function urlOf(query: string, refinements: Refinements): string {
  const refine: Record<string, string> = {};
  if (refinements.mode !== "HYBRID") refine.mode = refinements.mode;
  if (refinements.categoryId) refine.category = refinements.categoryId;
  if (refinements.brand) refine.brand = refinements.brand;
  if (refinements.price) refine.price = refinements.price;
  return href.search(query, refine);
}

function filterOf(refinements: Refinements): ProductFilter | undefined {
  const filter: ProductFilter = {};
  if (refinements.brand) filter.brands = [refinements.brand];
  if (refinements.price) {
    const [min, max] = refinements.price.split("-");
    if (min) filter.minPrice = Number(min);
    if (max) filter.maxPrice = Number(max) - 0.01; // facet ranges exclude their upper bound
  }
  return Object.keys(filter).length ? filter : undefined;
}

/** Search results with facets that refine, a mode switch, and the notices the gateway sent. */
export function SearchPage({ query, params }: { query: string; params: URLSearchParams }) {
  const refinements = refinementsOf(params);
  if (!query.trim()) return <Empty>Type something to search for.</Empty>;
  const filter = filterOf(refinements);
  return (
    <article className="search">
      <h1>
        Results for “{query}”
      </h1>
      <div className="modes" role="radiogroup" aria-label="Search mode">
        {modes.map((mode) => (
          <label key={mode} className="inline">
            <input type="radio" name="mode" value={mode} checked={refinements.mode === mode} onChange={() => navigate(urlOf(query, { ...refinements, mode }))} /> {mode.charAt(0) + mode.slice(1).toLowerCase()}
          </label>
        ))}
      </div>
      <ul className="grid" aria-label="Search results">
        <PagedList
          resetKey={JSON.stringify([query, refinements])}
          renderPage={(page) => (
            <ResultsPage
              query={query}
              refinements={refinements}
              filter={filter}
              {...page}
            />
          )}
        />
      </ul>
    </article>
  );
}

function ResultsPage(props: { query: string; refinements: Refinements; filter: ProductFilter | undefined; after: string | null; index: number; isLast: boolean; loadMore: (cursor: string) => void }) {
  const { query, refinements } = props;
  const [{ data, fetching, error }] = useQuery({
    query: SearchPageDocument,
    variables: { query, mode: refinements.mode, categoryId: refinements.categoryId, filter: props.filter, first: pageSize, after: props.after },
  });
  if (error) return <li className="wide"><ErrorView error={error} /></li>;
  if (!data) return fetching ? <li className="wide"><Loading what="results" /></li> : null;
  const { search } = data;
  return (
    <>
      {props.index === 0 && (
        <li className="wide search-head">
          {search.notices.map((notice) => (
            <p key={notice.code} className="notice" role="status" data-code={notice.code}>
              <strong>{notice.code}</strong>: {notice.message}
            </p>
          ))}
          <p aria-live="polite" className="total">
            {/* More matches than the gateway reads (SEARCH_CANDIDATE_LIMIT): it counted a shortlist. */}
            {search.totalIsLowerBound ? "at least " : ""}
            {search.totalCount} match{search.totalCount === 1 ? "" : "es"} ({search.mode.toLowerCase()})
          </p>
          <Facets facets={search.facets} query={query} refinements={refinements} />
        </li>
      )}
      {props.index === 0 && search.hits.length === 0 && (
        <li className="wide">
          <Empty>Nothing matches “{query}”. Try fewer words, or another mode.</Empty>
        </li>
      )}
      {search.hits.map((hit) => <ProductCard key={hit.product.id} product={hit.product} />)}
      <LoadMore hasNextPage={search.pageInfo.hasNextPage} endCursor={search.pageInfo.endCursor} isLast={props.isLast} loadMore={props.loadMore} fetching={fetching} />
    </>
  );
}

type Facet = SearchPageQuery["search"]["facets"][number];

/** Each facet value is a link that adds its refinement; an applied one shows a link that removes it. */
function Facets({ facets, query, refinements }: { facets: Facet[]; query: string; refinements: Refinements }) {
  const applied: { label: string; without: Refinements }[] = [];
  if (refinements.categoryId) applied.push({ label: "category", without: { ...refinements, categoryId: undefined } });
  if (refinements.brand) applied.push({ label: `brand ${refinements.brand}`, without: { ...refinements, brand: undefined } });
  if (refinements.price) applied.push({ label: `price ${refinements.price}`, without: { ...refinements, price: undefined } });
  return (
    <div className="facets">
      {applied.length > 0 && (
        <p className="applied">
          Refined by:{" "}
          {applied.map((refinement) => (
            <Link key={refinement.label} to={urlOf(query, refinement.without)} className="chip" aria-label={`Remove ${refinement.label}`}>
              {refinement.label} ✕
            </Link>
          ))}
        </p>
      )}
      {facets
        .filter((facet) => facet.values.length > 0 && facet.field !== (refinements.categoryId ? "category" : "leafCategory"))
        .map((facet) => (
          <details key={facet.field} open className="facet" data-facet={facet.field}>
            <summary>{facetTitle(facet.field)}</summary>
            <ul>
              {facet.values.slice(0, 8).map((value) => (
                <li key={value.value}>
                  <Link to={urlOf(query, refine(refinements, facet.field, value))}>
                    {labelOf(facet.field, value)} <span className="count">{value.count}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </details>
        ))}
    </div>
  );
}

function refine(refinements: Refinements, field: string, value: Facet["values"][number]): Refinements {
  if (field === "category" || field === "leafCategory") return { ...refinements, categoryId: value.category?.id ?? value.value };
  if (field === "brand") return { ...refinements, brand: value.value };
  if (field === "price") return { ...refinements, price: `${value.min ?? ""}-${value.max ?? ""}` };
  return refinements;
}

function facetTitle(field: string): string {
  return field === "category" ? "Department" : field === "leafCategory" ? "Category" : field === "brand" ? "Brand" : field === "price" ? "Price" : field;
}

function labelOf(field: string, value: Facet["values"][number]): string {
  if (value.category) return value.category.name;
  if (field === "price") return value.max === null ? `${formatPrice(value.min ?? 0)} and up` : `${formatPrice(value.min ?? 0)} – ${formatPrice(value.max)}`;
  return value.value;
}
