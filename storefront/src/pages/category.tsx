import { useEffect, useMemo, useState } from "react";
import { useQuery } from "urql";
import { Empty, ErrorView, Loading } from "../components/feedback";
import { LoadMore, PagedList } from "../components/paged-list";
import { ProductCard } from "../components/product-card";
import { CategoryFrameDocument, CategoryProductsDocument, type AttributeFilter, type CategoryFrameQuery, type ProductFilter, type ProductOrder } from "../generated/graphql";
import { href, Link } from "../router";

/** Products per page of a listing. */
const pageSize = 24;

const orders: { value: ProductOrder; label: string }[] = [
  { value: "POPULARITY_DESC", label: "Most popular" },
  { value: "PRICE_ASC", label: "Price: low to high" },
  { value: "PRICE_DESC", label: "Price: high to low" },
  { value: "NAME_ASC", label: "Name: A to Z" },
  { value: "NAME_DESC", label: "Name: Z to A" },
  { value: "NEWEST", label: "Newest" },
];

type Category = NonNullable<CategoryFrameQuery["categoryBySlug"]>;
type Attribute = Category["attributes"][number];

/** The filters a shopper set; turned into a `ProductFilter`. */
interface Filters {
  minPrice: string;
  maxPrice: string;
  brands: string[];
  inStock: boolean;
  /** By attribute name: a value ("" for any), or "min..max" for a number. */
  attributes: Record<string, string>;
}
const noFilters: Filters = { minPrice: "", maxPrice: "", brands: [], inStock: false, attributes: {} };

/** A category: breadcrumb, children with counts, filters (inherited attributes, price, brand), ordering, and the listing. */
export function CategoryPage({ slug }: { slug: string }) {
  const [{ data, fetching, error }] = useQuery({ query: CategoryFrameDocument, variables: { slug } });
  if (error) return <ErrorView error={error} />;
  if (!data) return fetching ? <Loading what="the category" /> : null;
  if (!data.categoryBySlug) return <Empty>There is no category “{slug}”.</Empty>;
  return <CategoryView key={data.categoryBySlug.id} category={data.categoryBySlug} />;
}

function CategoryView({ category }: { category: Category }) {
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [orderBy, setOrderBy] = useState<ProductOrder>("POPULARITY_DESC");
  const [total, setTotal] = useState<number | null>(null);
  const filter = useMemo(() => toProductFilter(filters, category.attributes), [filters, category.attributes]);
  const brands = useMemo(() => [...new Set(category.brandSample.edges.map((edge) => edge.node.brand))].sort(), [category.brandSample]);

  return (
    <article className="category">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to={href.home()}>All categories</Link>
          </li>
          {category.ancestors.map((ancestor) => (
            <li key={ancestor.id}>
              <Link to={href.category(ancestor.slug)}>{ancestor.name}</Link>
            </li>
          ))}
          <li aria-current="page">{category.name}</li>
        </ol>
      </nav>
      <h1>{category.name}</h1>
      {category.children.length > 0 && (
        <ul className="chips" aria-label="Subcategories">
          {category.children.map((child) => (
            <li key={child.id}>
              <Link to={href.category(child.slug)}>
                {child.name} <span className="count">{child.productCount}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <div className="with-sidebar">
        <FilterPanel attributes={category.attributes} brands={brands} filters={filters} onChange={setFilters} />
        <section aria-labelledby="listing-title" className="listing">
          <div className="listing-head">
            <h2 id="listing-title" aria-live="polite">
              {total === null ? "Products" : `${total} product${total === 1 ? "" : "s"}`}
            </h2>
            <label>
              Sort by{" "}
              <select value={orderBy} onChange={(event) => setOrderBy(event.target.value as ProductOrder)}>
                {orders.map((order) => (
                  <option key={order.value} value={order.value}>
                    {order.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ul className="grid" aria-label="Products">
            <PagedList
              resetKey={JSON.stringify([filter, orderBy])}
              renderPage={(page) => <ListingPage categoryId={category.id} filter={filter} orderBy={orderBy} onTotal={setTotal} {...page} />}
            />
          </ul>
        </section>
      </div>
    </article>
  );
}

function ListingPage(props: { categoryId: string; filter: ProductFilter; orderBy: ProductOrder; after: string | null; index: number; isLast: boolean; loadMore: (cursor: string) => void; onTotal: (total: number) => void }) {
  const [{ data, fetching, error }] = useQuery({
    query: CategoryProductsDocument,
    variables: { id: props.categoryId, filter: props.filter, orderBy: props.orderBy, first: pageSize, after: props.after },
  });
  const total = data?.products.totalCount;
  const { index, onTotal } = props;
  useEffect(() => {
    if (index === 0 && total !== undefined) onTotal(total);
  }, [total, index, onTotal]);
  if (error) return <li className="wide"><ErrorView error={error} /></li>;
  if (!data) return fetching ? <li className="wide"><Loading what="products" /></li> : null;
  const { edges, pageInfo } = data.products;
  if (props.index === 0 && edges.length === 0) return <li className="wide"><Empty>No products match these filters.</Empty></li>;
  return (
    <>
      {edges.map((edge) => <ProductCard key={edge.node.id} product={edge.node} />)}
      <LoadMore hasNextPage={pageInfo.hasNextPage} endCursor={pageInfo.endCursor} isLast={props.isLast} loadMore={props.loadMore} fetching={fetching} />
    </>
  );
}

function FilterPanel({ attributes, brands, filters, onChange }: { attributes: Attribute[]; brands: string[]; filters: Filters; onChange: (filters: Filters) => void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const setAttribute = (name: string, value: string) => set({ attributes: { ...filters.attributes, [name]: value } });
  // Open beside the listing; folded above it at phone width, where it would push the products down.
  const [open] = useState(() => !window.matchMedia("(max-width: 640px)").matches);
  return (
    <aside className="filters" aria-label="Filters">
      <details open={open}>
        <summary>
          <h2>Filters</h2>
        </summary>
        <fieldset>
          <legend>Price</legend>
          <label>
            Min <input type="number" inputMode="decimal" min={0} value={filters.minPrice} onChange={(event) => set({ minPrice: event.target.value })} name="minPrice" />
          </label>
          <label>
            Max <input type="number" inputMode="decimal" min={0} value={filters.maxPrice} onChange={(event) => set({ maxPrice: event.target.value })} name="maxPrice" />
          </label>
        </fieldset>
        <label className="inline">
          <input type="checkbox" checked={filters.inStock} onChange={(event) => set({ inStock: event.target.checked })} /> In stock only
        </label>
        {brands.length > 0 && (
          <fieldset>
            <legend>Brand</legend>
            {brands.map((brand) => (
              <label key={brand} className="inline">
                <input
                  type="checkbox"
                  checked={filters.brands.includes(brand)}
                  onChange={(event) => set({ brands: event.target.checked ? [...filters.brands, brand] : filters.brands.filter((b) => b !== brand) })}
                />{" "}
                {brand}
              </label>
            ))}
          </fieldset>
        )}
        {attributes.map((attribute) => (
          <AttributeInput key={attribute.name} attribute={attribute} value={filters.attributes[attribute.name] ?? ""} onChange={(value) => setAttribute(attribute.name, value)} />
        ))}
        <button type="button" onClick={() => onChange(noFilters)}>
          Clear filters
        </button>
      </details>
    </aside>
  );
}

/** One inherited (or own) attribute as a filter: choices for STRING with allowed values and BOOLEAN, a range for NUMBER. */
function AttributeInput({ attribute, value, onChange }: { attribute: Attribute; value: string; onChange: (value: string) => void }) {
  const label = `${humanize(attribute.name)}${attribute.unit ? ` (${attribute.unit})` : ""}`;
  const title = `Defined by ${attribute.definedBy.name}`;
  switch (attribute.type) {
    case "NUMBER": {
      const [min = "", max = ""] = value.split("..");
      return (
        <fieldset title={title}>
          <legend>{label}</legend>
          <label>
            Min <input type="number" value={min} onChange={(event) => onChange(`${event.target.value}..${max}`)} />
          </label>
          <label>
            Max <input type="number" value={max} onChange={(event) => onChange(`${min}..${event.target.value}`)} />
          </label>
        </fieldset>
      );
    }
    case "BOOLEAN":
    case "STRING": {
      const choices = attribute.type === "BOOLEAN" ? ["true", "false"] : attribute.allowedValues;
      if (choices.length === 0) return null;
      return (
        <label className="block" title={title}>
          {label}
          <select value={value} onChange={(event) => onChange(event.target.value)}>
            <option value="">Any</option>
            {choices.map((choice) => (
              <option key={choice} value={choice}>
                {attribute.type === "BOOLEAN" ? (choice === "true" ? "Yes" : "No") : choice}
              </option>
            ))}
          </select>
        </label>
      );
    }
    default: {
      const never: never = attribute.type;
      return never;
    }
  }
}

function toProductFilter(filters: Filters, attributes: Attribute[]): ProductFilter {
  const number = (text: string) => (text.trim() === "" || Number.isNaN(Number(text)) ? undefined : Number(text));
  const conditions: AttributeFilter[] = [];
  for (const attribute of attributes) {
    const value = filters.attributes[attribute.name];
    if (!value) continue;
    if (attribute.type === "NUMBER") {
      const [min, max] = value.split("..").map(number);
      if (min !== undefined || max !== undefined) conditions.push({ name: attribute.name, min, max });
    } else {
      conditions.push({ name: attribute.name, values: [attribute.type === "BOOLEAN" ? value === "true" : value] });
    }
  }
  return {
    minPrice: number(filters.minPrice),
    maxPrice: number(filters.maxPrice),
    brands: filters.brands.length ? filters.brands : undefined,
    inStock: filters.inStock || undefined,
    attributes: conditions.length ? conditions : undefined,
  };
}

/** "screen_size" -> "Screen size". */
export function humanize(name: string): string {
  const words = name.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
