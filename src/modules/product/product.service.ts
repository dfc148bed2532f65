import { lockCatalogShared } from "../../data/catalog-lock";
import { ConflictError, NotFoundError } from "../../errors";
import type { CreateProductInput, UpdateProductInput } from "../../generated/graphql";
import type { Prisma, Product } from "../../generated/prisma/client";
import { checkAttributes, definitionsAt, existingCategory } from "../shared/catalog-checks";
import { productUpdateFootprint, productWriteFootprint, type ProductFacts } from "../shared/footprints";
import type { Tx, Writer } from "../shared/writer";
import { parseCreateProduct, parseUpdateProduct, type ProductFields } from "./product-input";
import { ONE_STATEMENT_FIELDS, updateInOneStatement } from "./product-update-statement";

/** Told of products whose indexed text changed or that are gone (the search index follows). */
export interface ProductChangeListener {
  /** `changed`: the only columns (Prisma's names) the write changed, when it knows them; else any may have. */
  productsChanged(ids: number[], changed?: readonly string[]): Promise<void>;
  productsRemoved(ids: number[]): Promise<void>;
}

async function skuTaken(tx: Tx, sku: string, exceptId?: number): Promise<void> {
  const holder = await tx.product.findUnique({ where: { sku }, select: { id: true } });
  if (holder && holder.id !== exceptId) throw new ConflictError(`SKU ${JSON.stringify(sku)} is already taken by product ${holder.id}`, "input.sku");
}

/**
 * The product an update starts from, row-locked (two updates of one product commit one after the
 * other, each seeing the other's), with its category's path (the footprint's listing chain), in
 * one statement: the lock, the row and the path were three, and a price write's cost is mostly
 * per statement (round trip, Prisma, the driver), with the row lock held across all of them.
 */
async function lockedProduct(tx: Tx, id: number): Promise<(ProductFacts & { categoryPath: string }) | undefined> {
  const [row] = await tx.$queryRaw<(ProductFacts & { categoryPath: string })[]>`
    SELECT p.id, p.sku, p.name, p.description, p.brand, p.price, p.stock, p.popularity, p.attributes,
           p.category_id AS "categoryId", c.path AS "categoryPath"
    FROM products p JOIN categories c ON c.id = p.category_id
    WHERE p.id = ${id}
    FOR UPDATE OF p`;
  return row;
}

/** Product writes: validate, write with the footprint in one transaction, return the fresh row. */
export function createProductService(write: Writer, listener?: ProductChangeListener) {
  // Any update, in an interactive transaction that holds the row from its read to its commit.
  async function updateInTransaction(id: number, changes: Partial<ProductFields>): Promise<Product> {
    const { result } = await write(async (tx) => {
      await lockCatalogShared(tx);
      const before = await lockedProduct(tx, id);
      if (!before) throw new NotFoundError("Product", "id", String(id));
      const moves = changes.categoryId !== undefined && changes.categoryId !== before.categoryId;
      const newPath = moves ? (await existingCategory(tx, changes.categoryId!, "input.categoryId")).path : before.categoryPath;
      if (changes.sku !== undefined && changes.sku !== before.sku) await skuTaken(tx, changes.sku, id);
      if (changes.attributes !== undefined || moves) {
        checkAttributes(changes.attributes ?? before.attributes, await definitionsAt(tx, newPath), "input.attributes");
      }
      const product = await tx.product.update({ where: { id }, data: toData(changes) });
      return {
        result: product,
        footprint: productUpdateFootprint(before, product, { before: before.categoryPath, after: newPath }),
      };
    });
    return result;
  }

  return {
    async create(input: CreateProductInput): Promise<Product> {
      const fields = parseCreateProduct(input);
      const { result } = await write(async (tx) => {
        await lockCatalogShared(tx);
        const category = await existingCategory(tx, fields.categoryId, "input.categoryId");
        await skuTaken(tx, fields.sku);
        checkAttributes(fields.attributes, await definitionsAt(tx, category.path), "input.attributes");
        const { createdAt: _createdAt, ...data } = fields;
        const product = await tx.product.create({ data });
        return { result: product, footprint: productWriteFootprint(product.id, [product.sku], [category.path]) };
      });
      await listener?.productsChanged([result.id]);
      return result;
    },

    /**
     * Changes of a product's own fields are one statement (product-update-statement.ts); the rest
     * (SKU, category, attributes), and a product other writes keep changing, in a transaction.
     */
    async update(id: number, input: UpdateProductInput): Promise<Product> {
      const changes = parseUpdateProduct(input);
      const ownFields = Object.keys(changes).every((field) => ONE_STATEMENT_FIELDS.has(field));
      const written = ownFields ? await updateInOneStatement(write, id, changes) : null;
      if (written === undefined) throw new NotFoundError("Product", "id", String(id));
      const result = written ?? (await updateInTransaction(id, changes));
      await listener?.productsChanged([result.id], Object.keys(changes));
      return result;
    },

    async remove(id: number): Promise<{ id: number; deleted: boolean }> {
      await write(async (tx) => {
        await lockCatalogShared(tx);
        const before = await tx.product.findUnique({ where: { id }, include: { category: { select: { path: true } } } });
        if (!before) throw new NotFoundError("Product", "id", String(id));
        await tx.product.delete({ where: { id } });
        return { result: null, footprint: productWriteFootprint(id, [before.sku], [before.category.path]) };
      });
      await listener?.productsRemoved([id]);
      return { id, deleted: true };
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;

// The validated fields as Prisma's unchecked data (createdAt is the importer's, never a client's).
function toData(fields: Partial<ProductFields>): Prisma.ProductUncheckedUpdateInput {
  const { createdAt: _createdAt, ...rest } = fields;
  return rest;
}
