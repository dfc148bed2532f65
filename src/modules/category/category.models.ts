import type { AttributeDefinition, Category } from "../../generated/prisma/client";
export type CategoryModel = Category;
export type AttributeDefinitionModel = AttributeDefinition;
import type { NestedTreeNode } from "../../loaders";
/** A node of the cached tree (ids, names, slugs, depths); its full row is loaded only when asked for. */
export type CategoryTreeNodeModel = NestedTreeNode;
