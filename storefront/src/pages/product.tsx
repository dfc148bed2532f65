import { useQuery } from "urql";
import { activeToken } from "../client";
import { Empty, ErrorView, formatPrice, Loading } from "../components/feedback";
import { ProductEditor } from "../components/product-editor";
import { ProductBySkuPageDocument } from "../generated/graphql";
import { href, Link } from "../router";
import { humanize } from "./category";

/** A product by SKU: its category path, price, stock and attributes; the editor form when a token is in use. */
export function ProductPage({ sku }: { sku: string }) {
  const [{ data, fetching, error }] = useQuery({ query: ProductBySkuPageDocument, variables: { sku } });
  const token = activeToken.use();
  if (error) return <ErrorView error={error} />;
  if (!data) return fetching ? <Loading what="the product" /> : null;
  const product = data.productBySku;
  if (!product) return <Empty>There is no product with SKU “{sku}”.</Empty>;
  const units = new Map(product.category.attributes.map((attribute) => [attribute.name, attribute.unit]));
  const attributes = Object.entries((product.attributes ?? {}) as Record<string, unknown>);
  return (
    <article className="product">
      <nav aria-label="Category path" className="breadcrumb">
        <ol>
          <li>
            <Link to={href.home()}>All categories</Link>
          </li>
          {[...product.category.ancestors, product.category].map((category) => (
            <li key={category.id}>
              <Link to={href.category(category.slug)}>{category.name}</Link>
            </li>
          ))}
        </ol>
      </nav>
      <h1>{product.name}</h1>
      <p className="product-meta">
        <span>{product.brand}</span> · <span>SKU {product.sku}</span>
      </p>
      <p className="product-price" data-testid="price">
        {formatPrice(product.price)}
      </p>
      <p className={product.stock > 0 ? "card-stock" : "card-stock out"} data-testid="stock">
        {product.stock > 0 ? `${product.stock} in stock` : "Out of stock"}
      </p>
      <p>{product.description}</p>
      <h2>Specifications</h2>
      {attributes.length === 0 ? (
        <Empty>No attributes recorded.</Empty>
      ) : (
        <table className="attributes">
          <tbody>
            {attributes.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{humanize(name)}</th>
                <td>
                  {typeof value === "boolean" ? (value ? "Yes" : "No") : String(value)}
                  {units.get(name) ? ` ${units.get(name)}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="updated">Updated {new Date(product.updatedAt).toLocaleString()}</p>
      {token ? <ProductEditor product={product} /> : <p className="hint">Use an editor token (Editor, top right) to change this product.</p>}
    </article>
  );
}
