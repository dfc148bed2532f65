import { useState, type FormEvent } from "react";
import { useClient, useMutation } from "urql";
import { CategoryIdBySlugDocument, EditProductDocument, type UpdateProductInput } from "../generated/graphql";
import { ErrorView, formatPrice } from "./feedback";

/**
 * The editor's form: price, stock and category (by slug). Values go to the gateway as typed: the
 * gateway validates them, and its errors are shown with their code and field.
 */
export function ProductEditor({ product }: { product: { id: string; price: number; stock: number; category: { slug: string } } }) {
  const client = useClient();
  const [price, setPrice] = useState(String(product.price));
  const [stock, setStock] = useState(String(product.stock));
  const [categorySlug, setCategorySlug] = useState(product.category.slug);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const [result, edit] = useMutation(EditProductDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLocalError(null);
    // Only what cannot be sent at all is caught here (a Float cannot be "abc"); ranges and decimals are the gateway's to judge.
    for (const [field, text] of [["input.price", price], ["input.stock", stock]]) {
      if (text.trim() === "" || Number.isNaN(Number(text))) return setLocalError({ field, message: `“${text}” is not a number` });
    }
    const input: UpdateProductInput = { price: Number(price), stock: Number(stock) };
    if (categorySlug.trim() && categorySlug.trim() !== product.category.slug) {
      const found = await client.query(CategoryIdBySlugDocument, { slug: categorySlug.trim() }, { requestPolicy: "network-only" }).toPromise();
      const id = found.data?.categoryBySlug?.id;
      if (!id) return setLocalError({ field: "input.categoryId", message: `no category has the slug “${categorySlug.trim()}”` });
      input.categoryId = id;
    }
    // `additionalTypenames`: refetch every open view that holds a product or a category (counts too).
    await edit({ id: product.id, input }, { additionalTypenames: ["Product", "Category", "ProductConnection", "SearchResult"] });
  };

  const saved = result.data?.updateProduct;
  return (
    <form className="editor-form" onSubmit={submit} aria-labelledby="editor-title" noValidate>
      <h2 id="editor-title">Edit product</h2>
      <label>
        Price <input name="price" inputMode="decimal" value={price} onChange={(event) => setPrice(event.target.value)} />
      </label>
      <label>
        Stock <input name="stock" inputMode="numeric" value={stock} onChange={(event) => setStock(event.target.value)} />
      </label>
      <label>
        Category (slug) <input name="category" value={categorySlug} onChange={(event) => setCategorySlug(event.target.value)} />
      </label>
      <button type="submit" disabled={result.fetching}>
        {result.fetching ? "Saving…" : "Save"}
      </button>
      {localError && (
        <div className="error" role="alert">
          <p data-code="BAD_USER_INPUT" data-field={localError.field}>
            <strong className="error-code">BAD_USER_INPUT</strong>
            <span className="error-field"> (field: {localError.field})</span>: {localError.message} (checked in the browser)
          </p>
        </div>
      )}
      <ErrorView error={result.error} />
      {saved && !result.error && !localError && (
        <p className="saved" role="status">
          Saved: {formatPrice(saved.price)}, {saved.stock} in stock, in {saved.category.name}.
        </p>
      )}
    </form>
  );
}
