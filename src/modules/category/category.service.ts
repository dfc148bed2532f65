import { mergeFootprints, type Footprint } from "../../cache/invalidation";
import { lockCatalogExclusive } from "../../data/catalog-lock";
import { createSlugAllocator, slugify } from "../../data/import/slug";
import { BadUserInputError, ConflictError, NotFoundError } from "../../errors";
import type { CreateCategoryInput, UpdateCategoryInput } from "../../generated/graphql";
import type { Category } from "../../generated/prisma/client";
import { checkSubtreeProducts, existingCategory } from "../shared/catalog-checks";
import {
  categoryAttributesFootprint,
  categoryCreateFootprint,
  categoryDeleteFootprint,
  categoryMoveFootprint,
  categoryRenameFootprint,
  categorySlugFootprint,
  type MovedContents,
} from "../shared/footprints";
import { parseId } from "../shared/args";
import type { Tx, Writer } from "../shared/writer";
import type { ProductChangeListener } from "../product/product.service";
import { parseCategoryName, parseDefinitions, parseSlug, type DefinitionFields } from "./category-input";

async function slugFree(tx: Tx, slug: string, exceptId?: number): Promise<void> {
  const holder = await tx.category.findUnique({ where: { slug }, select: { id: true } });
  if (holder && holder.id !== exceptId) throw new ConflictError(`Slug ${JSON.stringify(slug)} is already taken by category ${holder.id}`, "input.slug");
}

// A readable slug from the name; on a clash the parent's slug is prefixed, then a number added.
async function newSlug(tx: Tx, name: string, parent: Category | null): Promise<string> {
  const base = slugify(name);
  const prefixed = parent ? `${parent.slug}-${base}` : base;
  const taken = await tx.$queryRaw<{ slug: string }[]>`
    SELECT slug FROM categories WHERE slug = ${base} OR slug = ${prefixed} OR slug LIKE ${`${prefixed}-%`}`;
  return createSlugAllocator(taken.map((row) => row.slug)).allocate(name, parent?.slug ?? null);
}

async function replaceDefinitions(tx: Tx, categoryId: number, definitions: DefinitionFields[]): Promise<void> {
  await tx.attributeDefinition.deleteMany({ where: { categoryId } });
  if (definitions.length) await tx.attributeDefinition.createMany({ data: definitions.map((d) => ({ ...d, categoryId })) });
}

async function subtreeIds(tx: Tx, path: string): Promise<number[]> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM categories WHERE path LIKE ${`${path}%`}`;
  return rows.map((row) => row.id);
}

/** Moves the subtree at `category` under `parent` (null: the top level): paths, depths, parent. */
async function moveSubtree(tx: Tx, category: Category, parent: Category | null): Promise<string> {
  const newPath = `${parent?.path ?? "/"}${category.id}/`;
  const depthDelta = (parent ? parent.depth + 1 : 0) - category.depth;
  await tx.$executeRaw`
    UPDATE categories
    SET path = ${newPath} || substr(path, ${category.path.length + 1}), depth = depth + ${depthDelta}, updated_at = now()
    WHERE path LIKE ${`${category.path}%`}`;
  await tx.category.update({ where: { id: category.id }, data: { parentId: parent?.id ?? null } });
  return newPath;
}

async function productsUnder(tx: Tx, path: string): Promise<number[]> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE ${`${path}%`}`;
  return rows.map((row) => row.id);
}

function refuseCycle(category: Category, target: Category, field: string): void {
  if (target.path.startsWith(category.path)) {
    throw new ConflictError(
      `Category ${category.id} cannot go under ${target.id === category.id ? "itself" : `its own descendant ${target.id}`}`,
      field,
    );
  }
}

/** Category writes: validate, write with the footprint in one transaction, return the fresh row. */
export function createCategoryService(write: Writer, listener?: ProductChangeListener) {
  return {
    async create(input: CreateCategoryInput): Promise<Category> {
      const name = parseCategoryName(input.name, "input.name");
      const slug = input.slug != null ? parseSlug(input.slug, "input.slug") : null;
      const parentId = input.parentId != null ? parseId(input.parentId, "input.parentId") : null;
      const definitions = parseDefinitions(input.attributes ?? [], "input.attributes");
      const { result } = await write(async (tx) => {
        await lockCatalogExclusive(tx);
        const parent = parentId === null ? null : await existingCategory(tx, parentId, "input.parentId");
        if (slug) await slugFree(tx, slug);
        if (input.externalId != null && (await tx.category.findUnique({ where: { externalId: input.externalId } }))) {
          throw new ConflictError(`External id ${JSON.stringify(input.externalId)} is already taken`, "input.externalId");
        }
        const [{ id }] = await tx.$queryRaw<{ id: number }[]>`SELECT nextval(pg_get_serial_sequence('categories', 'id'))::int AS id`;
        const category = await tx.category.create({
          data: {
            id,
            name,
            slug: slug ?? (await newSlug(tx, name, parent)),
            externalId: input.externalId ?? null,
            parentId: parent?.id ?? null,
            path: `${parent?.path ?? "/"}${id}/`,
            depth: parent ? parent.depth + 1 : 0,
          },
        });
        await replaceDefinitions(tx, id, definitions);
        return { result: category, footprint: categoryCreateFootprint(category) };
      });
      return result;
    },

    async update(id: number, input: UpdateCategoryInput): Promise<Category> {
      const name = input.name != null ? parseCategoryName(input.name, "input.name") : undefined;
      const slug = input.slug != null ? parseSlug(input.slug, "input.slug") : undefined;
      // Explicit null moves to the top level; an absent parentId keeps the parent.
      const moveTo = input.parentId === undefined ? undefined : input.parentId === null ? null : parseId(input.parentId, "input.parentId");
      const definitions = input.attributes != null ? parseDefinitions(input.attributes, "input.attributes") : undefined;
      if (name === undefined && slug === undefined && moveTo === undefined && definitions === undefined) {
        throw new BadUserInputError("input sets no field", "input");
      }
      // Products below a moved or renamed category: their category path changed (the search index keeps it).
      let movedProducts: number[] = [];
      const { result } = await write(async (tx) => {
        await lockCatalogExclusive(tx);
        const before = await tx.category.findUnique({ where: { id } });
        if (!before) throw new NotFoundError("Category", "id", String(id));
        let footprint: Footprint = {};
        const add = (more: Footprint) => (footprint = mergeFootprints([footprint, more]));

        if (name !== undefined && name !== before.name) {
          await tx.category.update({ where: { id }, data: { name } });
          add(categoryRenameFootprint(before));
          movedProducts = await productsUnder(tx, before.path);
        }
        if (slug !== undefined && slug !== before.slug) {
          await slugFree(tx, slug, id);
          await tx.category.update({ where: { id }, data: { slug } });
          add(categorySlugFootprint(id, before.slug, slug));
        }
        if (definitions !== undefined) {
          await replaceDefinitions(tx, id, definitions);
          add(categoryAttributesFootprint(id));
        }
        const moving = moveTo !== undefined && moveTo !== before.parentId;
        if (moving) {
          const parent = moveTo === null ? null : await existingCategory(tx, moveTo, "input.parentId");
          if (parent) refuseCycle(before, parent, "input.parentId");
          const subtree = await subtreeIds(tx, before.path);
          movedProducts = [...new Set([...movedProducts, ...(await productsUnder(tx, await moveSubtree(tx, before, parent)))])];
          add(categoryMoveFootprint({ category: before, to: parent, subtree }));
        }
        const after = (await tx.category.findUnique({ where: { id } }))!;
        if (definitions !== undefined || moving) await checkSubtreeProducts(tx, after.path, "input.attributes");
        return { result: after, footprint };
      });
      if (movedProducts.length) await listener?.productsChanged(movedProducts);
      return result;
    },

    async remove(id: number, moveContentsTo: number | null): Promise<{ id: number; deleted: boolean }> {
      let movedProducts: number[] = [];
      await write(async (tx) => {
        await lockCatalogExclusive(tx);
        const category = await tx.category.findUnique({ where: { id } });
        if (!category) throw new NotFoundError("Category", "id", String(id));
        const children = await tx.category.count({ where: { parentId: id } });
        const products = await tx.product.count({ where: { categoryId: id } });
        if ((children > 0 || products > 0) && moveContentsTo === null) {
          throw new ConflictError(
            `Category ${id} still has ${children} children and ${products} products; pass moveContentsTo to move them first`,
            "id",
          );
        }
        let moved: MovedContents | undefined;
        if (moveContentsTo !== null) {
          const target = await existingCategory(tx, moveContentsTo, "moveContentsTo");
          refuseCycle(category, target, "moveContentsTo");
          const subtree = await subtreeIds(tx, category.path);
          movedProducts = await productsUnder(tx, category.path);
          // Children and their subtrees go under the target, as if each were moved there.
          await tx.$executeRaw`
            UPDATE categories
            SET path = ${target.path} || substr(path, ${category.path.length + 1}),
                depth = depth + ${target.depth - category.depth},
                parent_id = CASE WHEN parent_id = ${id} THEN ${target.id} ELSE parent_id END,
                updated_at = now()
            WHERE path LIKE ${`${category.path}%`} AND id <> ${id}`;
          const ownProducts = await tx.$queryRaw<{ id: number }[]>`
            UPDATE products SET category_id = ${target.id}, updated_at = now() WHERE category_id = ${id} RETURNING id`;
          await checkSubtreeProducts(tx, target.path, "moveContentsTo");
          moved = { target, subtree, products: ownProducts.map((row) => row.id) };
        }
        await tx.category.delete({ where: { id } });
        return { result: null, footprint: categoryDeleteFootprint(category, moved) };
      });
      if (movedProducts.length) await listener?.productsChanged(movedProducts);
      return { id, deleted: true };
    },
  };
}

export type CategoryService = ReturnType<typeof createCategoryService>;
