import type { ProductCardFragment } from "../generated/graphql";
import { href, Link } from "../router";
import { formatPrice } from "./feedback";

/** One product in a listing or in search results. */
export function ProductCard({ product }: { product: ProductCardFragment }) {
  return (
    <li className="card" data-sku={product.sku}>
      <Link to={href.product(product.sku)} className="card-name">
        {product.name}
      </Link>
      <span className="card-brand">{product.brand}</span>
      <span className="card-price" data-testid="price">
        {formatPrice(product.price)}
      </span>
      <span className={product.stock > 0 ? "card-stock" : "card-stock out"}>{product.stock > 0 ? `${product.stock} in stock` : "Out of stock"}</span>
      <span className="card-sku">SKU {product.sku}</span>
    </li>
  );
}
