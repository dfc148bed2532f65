// The typed client in use, against a running gateway:
//   node scripts/run.cjs examples/demo.ts http://localhost:4000/ <editor token>
// (the token: one of those `npm start` prints in development, or `npm run token -- --role editor`).
import {
  AutocompleteDocument,
  CategoryTreeDocument,
  ProductBySkuDocument,
  SearchProductsDocument,
  UpdatePriceAndStockDocument,
} from "../src/generated/client/graphql";
import { CatalogRequestError, createCatalogClient } from "./typed-client";

async function main(url = "http://localhost:4000/", token?: string) {
  const reader = createCatalogClient({ url });
  const { categoryTree } = await reader.request(CategoryTreeDocument, { maxDepth: 1 });
  console.log("Departments:", categoryTree.map((node) => node.name).join(", "));

  const { search } = await reader.request(SearchProductsDocument, { query: "samsung galaxy", first: 3 });
  console.log(`"samsung galaxy": ${search.totalCount} matches (${search.mode})`);
  for (const hit of search.hits) console.log(`  ${hit.product.sku}  ${hit.product.name}  $${hit.product.price}`);
  const { autocomplete } = await reader.request(AutocompleteDocument, { prefix: "sam", limit: 5 });
  console.log(`Completions of "sam": ${autocomplete.join(", ")}`);

  const first = search.hits[0]?.product;
  if (!first) return;
  const { productBySku } = await reader.request(ProductBySkuDocument, { sku: first.sku });
  console.log(`${productBySku?.name} is in ${productBySku?.category.ancestors.map((c) => c.name).join(" > ")}`);

  // A write: without a token it is refused, and the code says why.
  try {
    await reader.request(UpdatePriceAndStockDocument, { id: first.id, stock: 5 });
  } catch (error) {
    if (!(error instanceof CatalogRequestError)) throw error;
    console.log(`Without a token: ${error.code} (${error.message})`);
  }
  if (!token) return console.log("Pass an editor token as the second argument to try the write.");
  const editor = createCatalogClient({ url, token });
  try {
    await editor.request(UpdatePriceAndStockDocument, { id: first.id, price: -1 });
  } catch (error) {
    if (error instanceof CatalogRequestError && error.code === "BAD_USER_INPUT") console.log(`Refused: ${error.field}: ${error.message}`);
    else throw error;
  }
  const { updateProduct } = await editor.request(UpdatePriceAndStockDocument, { id: first.id, price: first.price, stock: 5 });
  console.log(`Updated ${updateProduct.sku}: stock ${updateProduct.stock} at ${updateProduct.updatedAt}`);
}

main(process.argv[2], process.argv[3]).catch((error) => {
  console.error(error);
  process.exit(1);
});
